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
