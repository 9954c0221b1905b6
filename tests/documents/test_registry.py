"""The documents' registry: each line names its module, whose NAME is the kind it registers,
and the modules of the documents about the whole order load without CadQuery or OCCT."""

from __future__ import annotations

import subprocess
import sys

from techpack.documents import DOCUMENTS


def test_each_registered_document_is_its_modules_kind_and_renders_what_it_registers():
    for doc in DOCUMENTS:
        module = doc.module
        assert module.NAME == doc.name and callable(module.write)
        assert getattr(module, "TEMPLATES", doc.templates) == doc.templates
        assert not (doc.per_part and doc.models)  # a per-part document has its model in the worker
        assert not (doc.per_part and hasattr(module, "prepare"))


def test_the_whole_order_documents_load_without_cadquery_or_occt():
    light = [d.module_name for d in DOCUMENTS if not d.per_part and not d.models]
    code = ("import sys\n"
            f"for name in {light!r}:\n"
            "    __import__('techpack.documents.' + name)\n"
            "import techpack.pipeline, techpack.build, techpack.summary, techpack.package\n"
            "print(sorted(m for m in ('cadquery', 'OCP') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert set(light) == {"changes", "dfm", "workbook", "cover", "index"}
    assert out.strip() == "[]"


def test_the_main_process_of_a_build_or_check_imports_cadquery_only_for_an_assembly(project, tmp_path):
    """The parts are built in workers; the main process reads their summaries, and the models
    (CadQuery) only for what reads solids: the assembly's overlap check, STEP and picture."""
    from tests.conftest import BOX_SCRIPT

    project.write("models/box.py", BOX_SCRIPT)
    parts = "- {number: P1, name: One, model: models/box.py, material: ABS, process: fdm}"
    assembly = "assembly:\n  number: A-1\n  name: Stack\n  place:\n    - {part: P1, at: [0, 0, 0]}\n"
    code = ("import sys\nfrom techpack.build import build, check\nfrom techpack.report import Reporter\n"
            "check(sys.argv[1], Reporter(0)) if sys.argv[2] == 'check' else build(sys.argv[1], sys.argv[2], Reporter(0))\n"
            "print('cadquery' in sys.modules, 'OCP' in sys.modules)\n")
    seen = {}
    for name, extra in (("plain", ""), ("assembled", assembly)):
        spec = project.spec(parts, extra=extra, name=f"{name}.yaml")
        for command in ("build", "check"):
            proc = subprocess.run([sys.executable, "-c", code, str(spec), command if command == "check" else str(tmp_path / name)],
                                  capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr
            seen[name, command] = proc.stdout.split()
    assert seen == {("plain", "build"): ["False", "False"], ("plain", "check"): ["False", "False"],
                    ("assembled", "build"): ["True", "True"], ("assembled", "check"): ["True", "True"]}
