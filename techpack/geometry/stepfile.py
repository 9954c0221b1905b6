"""Import a STEP file into one CadQuery solid (in mm), saying what else the file held.

Errors name the file (and the line, for a syntax error); what OCCT prints while reading is
captured (techpack.geometry.console), never left on standard output. A file OCCT found
syntax errors or dangling references in is refused before its shapes are translated:
translating such a file can crash OCCT (a segmentation fault in TransferRoots).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import cadquery as cq
from OCP.BRep import BRep_Tool
from OCP.IFSelect import IFSelect_RetDone
from OCP.Interface import Interface_Static
from OCP.ShapeFix import ShapeFix_Solid
from OCP.Standard import Standard_Failure
from OCP.STEPControl import STEPControl_Reader
from OCP.TopAbs import (
    TopAbs_COMPOUND,
    TopAbs_COMPSOLID,
    TopAbs_EDGE,
    TopAbs_FACE,
    TopAbs_SHELL,
    TopAbs_SOLID,
    TopAbs_VERTEX,
    TopAbs_WIRE,
)
from OCP.TopExp import TopExp_Explorer
from OCP.TopoDS import TopoDS, TopoDS_Iterator, TopoDS_Shape

from techpack.errors import ModelError, Problem
from techpack.geometry.console import captured_output
from techpack.geometry.measure import exact_box, quick_box, volume

# 1 km. Doubles 1e6 mm from the origin are 1.2e-10 mm apart, a thousandth of OCCT's 1e-7 mm tolerance;
# 1e12 mm away they are 1.2e-4 mm apart, a thousand times it. A part that far out is a placement or unit slip.
MAX_COORDINATE_MM = 1e6
_SAID = 3  # lines of OCCT's own output quoted in a note or an error


@dataclass(frozen=True)
class StepModel:
    """The part's solid in mm, and notes for the user: what the file held besides it and was
    left out, a closed shell made a solid, what OCCT said while reading. Each note is a sentence
    naming the file (not the part: the caller prefixes the part number)."""

    solid: cq.Solid
    notes: tuple[str, ...] = ()


def read(path: Path, where: str, label: str, rel: str) -> cq.Solid:
    """The solid of the STEP file at path, in mm; read_model() also gives the notes."""
    return read_model(path, where, label, rel).solid


def read_model(path: Path, where: str, label: str, rel: str) -> StepModel:
    """The one solid the STEP file at path makes, converted to mm by OCCT, with notes on all
    else it held. A ModelError (where, label: the spec's place and key for the model; rel: the
    file as the spec names it) when it is not a STEP file, OCCT cannot parse it (naming the
    line), it holds no solid or several, or the solid lies beyond MAX_COORDINATE_MM."""

    def fail(message: str, detail: str = "") -> ModelError:
        return ModelError(Problem(where, label, message, detail))

    if not path.exists():
        raise fail(f"STEP file '{rel}' not found")
    if not path.is_file():
        raise fail(f"'{rel}' is not a regular file; a STEP model must be a file")
    if path.stat().st_size == 0:
        raise fail(f"STEP file '{rel}' is empty")
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as exc:
        raise fail(f"cannot read STEP file '{rel}': {exc.strerror or exc}") from None
    not_step = _not_step(head)
    if not_step:
        raise fail(f"'{rel}' is not a readable STEP file: {not_step}")

    reader = STEPControl_Reader()
    Interface_Static.SetCVal_s("xstep.cascade.unit", "MM")
    with captured_output() as said:
        status = reader.ReadFile(str(path))
    model = reader.WS().Model() if status == IFSelect_RetDone else None
    if model is not None and model.NbEntities() == 0:  # OCCT calls an empty DATA section a syntax error
        raise fail(f"STEP file '{rel}' holds no shape: its DATA section is empty")
    check = model.GlobalCheck() if model is not None else None
    fails = [check.CFail(i, True) for i in range(1, check.NbFails() + 1)] if check is not None else []
    if status != IFSelect_RetDone or fails:
        message, detail = _parse_failure(path, fails or said.lines, status.name)
        raise fail(f"'{rel}' is not a readable STEP file: {message}", detail)
    try:
        with captured_output() as translated:
            reader.TransferRoots()
    except Standard_Failure as exc:
        raise fail(f"OCCT could not translate the shapes in '{rel}': {type(exc).__name__} {exc}".rstrip(),
                   "\n".join(translated.lines[:_SAID])) from None
    notes = []
    if said.lines or translated.lines:
        notes.append(f"{rel}: OCCT's STEP reader said: {_quote(said.lines + translated.lines)}")
    if reader.NbShapes() == 0:
        raise fail(f"STEP file '{rel}' holds no shape (no solid, surface or curve OCCT can translate)")
    held = _Held()
    held.add(reader.OneShape())
    solid, note = _the_solid(held, rel, fail)
    if note:
        notes.append(note)
    _check_extent(solid, rel, fail)
    return StepModel(solid=cq.Shape.cast(solid), notes=tuple(notes))


# --- what is not a STEP file -------------------------------------------------------------


def _not_step(head: bytes) -> str:
    """Why the file beginning with head is no STEP (ISO 10303-21) text file, or ""."""
    if head.startswith(b"\x1f\x8b"):
        return "it is gzip-compressed; decompress it (or export an uncompressed .step)"
    if head.startswith(b"PK\x03\x04"):
        return "it is a zip archive (a compressed .stpZ?); unzip it and name the .step file inside"
    if b"\0" in head:
        return "it is a binary file, not a STEP (ISO 10303-21) text file"
    text = head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")
    while True:  # blanks and /* comments */ may come before the first keyword
        text = text.lstrip()
        if not text.startswith("/*") or "*/" not in text:
            break
        text = text[text.index("*/") + 2:]
    if not text.upper().startswith("ISO-10303-21"):
        first = head.decode("latin-1").strip().splitlines()[0] if head.strip() else ""
        return f"it does not begin with ISO-10303-21; (a STEP file's first line); line 1: {_snippet(first)}"
    return ""


_PARSING = re.compile(r"Undefined Parsing: Line (\d+):\s*(.*?)[\s*]*$")
_UNRESOLVED = re.compile(r"Unresolved Reference, Ent\.Id\.#(-?\d+) Param\.n0 ?(\d+) \(Id\.#(\d+)\)")


def _parse_failure(path: Path, messages: list[str], status: str) -> tuple[str, str]:
    """The first syntax error or dangling reference in OCCT's messages, as (message with the
    line, detail quoting the line and counting the others)."""
    lines = None

    def source(n: int) -> str:
        nonlocal lines
        if lines is None:
            lines = path.read_bytes().split(b"\n")
        return lines[n - 1].decode("latin-1").rstrip("\r") if 1 <= n <= len(lines) else ""

    syntax = [m for m in (_PARSING.search(s) for s in messages) if m]
    unresolved = sorted((m for m in (_UNRESOLVED.search(s) for s in messages) if m), key=lambda m: int(m.group(1)) < 0)  # #-n: inside a list
    others = []
    if syntax:
        first = syntax[0]
        n = max(1, int(first.group(1)) - 1)  # OCCT 7.9's parser says one more than the line it is on
        text = first.group(2).rstrip(" *").removeprefix("Incorrect syntax: ")
        message = f"line {n}: syntax error: {text}"
        detail = [f"{n} | {_snippet(source(n))}"]
        if len(syntax) > 1:
            others.append(f"{len(syntax) - 1} more syntax error{'s' if len(syntax) > 2 else ''} after it")
    elif unresolved:
        entity, _param, target = unresolved[0].groups()
        n = _entity_line(path, int(entity)) if int(entity) > 0 else 0
        message = f"{'line ' + str(n) + ': ' if n else ''}#{entity} refers to #{target}, which the file does not define"
        detail = [f"{n} | {_snippet(source(n))}"] if n else []
    else:
        said = [s for s in messages if s.strip()]
        message = f"OCCT could not read it ({status.removeprefix('IFSelect_')})" + (f": {_quote(said)}" if said else "")
        detail = []
    if unresolved and (syntax or len(unresolved) > 1):
        k = len(unresolved) - (0 if syntax else 1)
        others.append(f"{k} {'more ' if not syntax else ''}reference{'s' if k > 1 else ''} to entities the file does not define")
    if others:
        detail.append("OCCT also found " + " and ".join(others) + ".")
    return message, "\n".join(detail)


def _entity_line(path: Path, number: int) -> int:
    """The line (1-based) where entity #number is defined, 0 if not found."""
    text = path.read_bytes()
    m = re.search(rb"(?m)^[ \t]*#%d[ \t]*=" % number, text)
    return text.count(b"\n", 0, m.start()) + 1 if m else 0


def _snippet(text: str, width: int = 100) -> str:
    """text on one line (control characters as spaces), cut to width."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _quote(lines: list[str]) -> str:
    shown = "; ".join(_snippet(s.strip(" *"), 160) for s in lines[:_SAID])
    return shown + (f" (and {len(lines) - _SAID} more lines)" if len(lines) > _SAID else "")


# --- what the file holds -----------------------------------------------------------------


class _Held:
    """The shapes a STEP file translated to, compounds opened, sorted by kind."""

    def __init__(self) -> None:
        self.solids: list[TopoDS_Shape] = []
        self.closed_shells: list[TopoDS_Shape] = []
        self.open_shells: list[TopoDS_Shape] = []  # of two faces or more
        self.open_faces = 0  # free faces and open shells of one face
        self.curves = 0  # wires and free edges
        self.points = 0

    def add(self, shape: TopoDS_Shape) -> None:
        kind = shape.ShapeType()
        if kind in (TopAbs_COMPOUND, TopAbs_COMPSOLID):
            it = TopoDS_Iterator(shape)
            while it.More():
                self.add(it.Value())
                it.Next()
        elif kind == TopAbs_SOLID:
            self.solids.append(shape)
        elif kind == TopAbs_SHELL:
            n = _count(shape, TopAbs_FACE)
            if n and BRep_Tool.IsClosed_s(shape):
                self.closed_shells.append(shape)
            elif n == 1:
                self.open_faces += 1
            elif n:
                self.open_shells.append(shape)
        elif kind == TopAbs_FACE:
            self.open_faces += 1
        elif kind in (TopAbs_WIRE, TopAbs_EDGE):
            self.curves += 1
        elif kind == TopAbs_VERTEX:
            self.points += 1

    def kinds(self, solids: bool = True, closed_shells: bool = True) -> list[tuple[int, str, str]]:
        """What is held, by kind: (count, noun, remark), e.g. (1, "open face", "not a closed volume")."""
        out = []
        if solids and self.solids:
            out.append((len(self.solids), "solid", ""))
        if closed_shells and self.closed_shells:
            out.append((len(self.closed_shells), "closed shell", ""))
        if self.open_shells:
            faces = sum(_count(s, TopAbs_FACE) for s in self.open_shells)
            out.append((len(self.open_shells), "open shell", f"{faces} faces, not a closed volume"))
        if self.open_faces:
            out.append((self.open_faces, "open face", "not a closed volume"))
        if self.curves:
            out.append((self.curves, "curve", ""))
        if self.points:
            out.append((self.points, "point", ""))
        return out


def _counted(kinds: list[tuple[int, str, str]]) -> str:
    """ "1 solid, 1 open face (not a closed volume) and 22 points" """
    return _and([f"{k} {noun}{'s' if k != 1 else ''}" + (f" ({remark})" if remark else "") for k, noun, remark in kinds])


def _named(kinds: list[tuple[int, str, str]]) -> str:
    """ "the open face is", "the curves and points are" """
    single = len(kinds) == 1 and kinds[0][0] == 1
    return "the " + _and([f"{noun}{'s' if k != 1 else ''}" for k, noun, _ in kinds]) + (" is" if single else " are")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _count(shape: TopoDS_Shape, kind) -> int:
    n, explorer = 0, TopExp_Explorer(shape, kind)
    while explorer.More():
        n += 1
        explorer.Next()
    return n


def _the_solid(held: _Held, rel: str, fail) -> tuple[TopoDS_Shape, str]:
    """The solid to build from and a note on what else was held ("" when nothing), or a
    ModelError: no solid, or several."""
    if len(held.solids) > 1 or (not held.solids and len(held.closed_shells) > 1):
        many = held.solids or held.closed_shells
        what = "solid" if held.solids else "closed shell"
        rest = held.kinds(solids=False) if held.solids else held.kinds(closed_shells=False)
        listed = sorted(((volume(s), exact_box(s)) for s in many), key=lambda vb: -abs(vb[0]))
        detail = "\n".join(f"{what} {k}: {abs(v):.6g} mm³, {b[3] - b[0]:.4g} x {b[4] - b[1]:.4g} x {b[5] - b[2]:.4g} mm "
                           f"from ({b[0]:.4g}, {b[1]:.4g}, {b[2]:.4g})" for k, (v, b) in enumerate(listed, 1))
        raise fail(f"'{rel}' holds {len(many)} {what}s{' (and ' + _counted(rest) + ')' if rest else ''}; a part must be one "
                   "solid: union them in the CAD program, or make each its own part with its own file", detail)
    if held.solids:
        solid, head, built = held.solids[0], f"{rel} holds {_counted(held.kinds())}", "built from the solid"
        rest = held.kinds(solids=False)
    elif held.closed_shells:
        solid, head = _solid_from(held.closed_shells[0]), f"{rel} holds no solid but {_counted(held.kinds())}"
        rest = held.kinds(closed_shells=False)
        built = "made a solid of the closed shell and built from it" if rest else "made a solid of it"
    else:
        raise fail(f"'{rel}' holds no solid, only {_counted(held.kinds())}; a part must be one closed solid: "
                   "export the body as a solid, or close its surfaces in the CAD program")
    if not rest:
        return solid, "" if held.solids else f"{head}: {built}"
    return solid, f"{head}: {built}; {_named(rest)} left out"


def _solid_from(shell: TopoDS_Shape) -> TopoDS_Shape:
    """A solid bounded by the closed shell, oriented so that its volume is positive."""
    solid = ShapeFix_Solid().SolidFromShell(TopoDS.Shell_s(shell))
    if volume(solid) < 0:
        solid = TopoDS.Solid_s(solid.Reversed())
    return solid


def _check_extent(solid: TopoDS_Shape, rel: str, fail) -> None:
    """A ModelError when the solid reaches beyond MAX_COORDINATE_MM from the origin."""
    if max(abs(c) for c in quick_box(solid)) <= MAX_COORDINATE_MM:
        return
    box = exact_box(solid)
    far = max(abs(c) for c in box)
    if far > MAX_COORDINATE_MM:
        x0, y0, z0, x1, y1, z1 = box
        raise fail(f"the solid in '{rel}' reaches {far:.3g} mm from the origin (x {x0:.4g} to {x1:.4g}, y {y0:.4g} to {y1:.4g}, "
                   f"z {z0:.4g} to {z1:.4g} mm); a part must lie within {MAX_COORDINATE_MM:.0f} mm (1 km) of it: "
                   "move it to the origin in the CAD program, or check the file's length unit")
