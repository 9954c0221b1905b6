"""`techpack diff`: what changed between two revisions of a product, per part, for a supplier
re-quoting.

Each side (a git revision of the spec's repository, the working tree, or a full package zip)
is reduced to a snapshot (snapshot.py, sides.py), and the snapshots are compared (compare.py):
per part, matched by part number, the geometry (volume, bounding box, faces moved, changed,
added or removed, holes moved), the dimensions and tolerances (the numbered characteristics
and the spec's features), material, process, finish, quantity, supplier and the other
attributes a quote depends on; per hardware item its quantity, supplier and name. Nothing
that did not change is listed. A part whose geometry changed gets a picture of the changed
region (picture.py).

    diff("HEAD~1", "HEAD", Path("techpack.yaml"), log) -> Diff
    changes_since(spec_path, "v1.0", log) -> the dict `build --since` puts on the CHANGES page
"""

from __future__ import annotations

from pathlib import Path

from techpack.diff.compare import Diff, ItemChanges, compare
from techpack.diff.sides import revision_snapshot, snapshot, worktree_snapshot
from techpack.report import Reporter

__all__ = ["Diff", "ItemChanges", "changes_since", "compare", "diff", "format_text", "pictures"]


def diff(old: str, new: str | None, spec: Path | None, log: Reporter) -> Diff:
    """What changed from old to new: each a package zip (an existing file) or a git revision of
    the repository holding spec; new None: the working tree. Raises InputError for an unknown
    revision, a file that is not a package, or a spec missing from a revision."""
    return compare(snapshot(old, spec, log), snapshot(new, spec, log))


def pictures(d: Diff) -> dict[str, bytes]:
    """The changed-region PNG of each part whose geometry changed, by part number."""
    from techpack.diff.picture import changed_picture

    out = {}
    for item in d.parts:
        if item.geometry is not None and item.old is not None and item.new is not None:
            got = changed_picture(item.old.solid, item.new.solid)
            if got is not None:
                out[item.number] = got[0]
    return out


def changes_since(spec_path: str | Path, rev: str, log: Reporter, models=None) -> dict:
    """What changed from git revision rev of the spec's repository to the spec and models on
    disk, for `build --since REV` (BuildContext.changes): the CHANGES page and each supplier's
    cover page. models: the part models the build made from those files (else built here).

    {"since": "B (commit abc123456789)", "old": "<label>", "new": "<label>", "product": [lines],
     "parts": [{"number", "name", "status", "supplier", "lines": [...], "picture": PNG bytes or None}],
     "hardware": [{"number", "name", "status", "supplier", "lines": [...]}]}

    status is changed, added or removed; supplier is the item's supplier key (for a removed
    item its old one), so a supplier's package can show exactly its own items. The lines name
    no supplier but the item's own: a change of supplier reads "supplier changed: now NAME"."""
    spec_path = Path(spec_path)
    old = revision_snapshot(spec_path, rev, log)
    new = worktree_snapshot(spec_path, log, models)
    d = compare(old, new)
    shots = pictures(d)

    def part_supplier(item) -> str | None:
        return (item.new or item.old).supplier_key

    def hardware_supplier(item) -> str | None:
        return new.hardware_suppliers.get(item.number, old.hardware_suppliers.get(item.number))

    return {
        "since": f"{old.revision} (commit {old.commit[:12]})",
        "old": old.label,
        "new": new.label,
        "product": [c.text for c in d.product],
        "parts": [{"number": p.number, "name": p.name, "status": p.status, "supplier": part_supplier(p), "lines": own_lines(p),
                   "picture": shots.get(p.number)} for p in d.parts],
        "hardware": [{"number": h.number, "name": h.name, "status": h.status, "supplier": hardware_supplier(h), "lines": own_lines(h)}
                     for h in d.hardware],
    }


def own_lines(item: ItemChanges) -> list[str]:
    """The item's lines with no supplier named but its own (a supplier's package shows them)."""
    return [f"supplier changed: now {c.new}" if c.kind == "supplier" and c.new else
            "supplier changed: none" if c.kind == "supplier" else c.text for c in item.changes]


def format_text(d: Diff) -> str:
    """The diff for a terminal: a heading, then each changed item; one line when it has one change.

        DL-2: B (commit 1a2b3c4d5e6f) -> B (commit 9f8e7d6c5b4a)
        DL2-101 Base
          geometry: volume 215 430.2 -> 215 430.2 mm³; 2 faces moved
          hole Ø4.2 10 deep moved from (45.96, 45.96) to (41.78, 49.79)
        DL2-601 Arm: qty 1 -> 2
    """
    lines = [f"{d.new.number or d.old.number}: {d.old.label} -> {d.new.label}"]
    if d.empty:
        return "\n".join(lines + ["no changes"])
    lines += [f"product: {c.text}" for c in d.product]
    for item in (*d.parts, *d.hardware):
        head = f"{item.number} {item.name}"
        if len(item.changes) == 1:
            lines.append(f"{head}: {item.changes[0].text}")
        else:
            lines += [head, *(f"  {c.text}" for c in item.changes)]
    return "\n".join(lines)
