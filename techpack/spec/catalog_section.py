"""A spec's `catalog:` section: entries added to techpack's catalog, or fields of an entry overridden.

Fields given replace the built-in ones; a process's `rules` replace the built-in rules
with the same rule name and family and keep the others. The merged entry is validated
by the catalog's own models, so an error points into the spec.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from techpack.catalog import KINDS, Catalog, build_catalog, builtin, builtin_data
from techpack.words import did_you_mean


def _merge_rules(base: list[dict], patch: list[Any]) -> list[Any]:
    replaced = {(r.get("rule"), r.get("family")) for r in patch if isinstance(r, dict)}
    return list(patch) + [r for r in base if (r["rule"], r.get("family")) not in replaced]


def extend(section: Any) -> tuple[Catalog, list[dict]]:
    """The catalog with the spec's section applied, and pydantic-style errors located under catalog.*."""
    if not isinstance(section, dict) or not any(section.get(k) for k in KINDS):
        return builtin(), []
    data = {kind: dict(entries) for kind, entries in builtin_data().items()}
    errors: list[dict] = []
    for kind, model in KINDS.items():
        patches = section.get(kind)
        if not isinstance(patches, dict):
            continue
        for key, patch in patches.items():
            if not isinstance(patch, dict):
                continue  # the schema check reports it
            merged = {**data[kind].get(key, {}), **patch}
            if kind == "processes" and isinstance(patch.get("rules"), list):
                merged["rules"] = _merge_rules(data[kind].get(key, {}).get("rules", []), patch["rules"])
            try:
                model.model_validate({**merged, "key": key})
            except ValidationError as exc:
                for err in exc.errors():
                    errors.append({**err, "loc": ("catalog", kind, key, *err["loc"])})
                continue
            data[kind][key] = merged
    catalog = build_catalog(data)  # each entry was validated above
    # a material's processes must be processes the catalog knows
    for key, patch in (section.get("materials") or {}).items():
        for i, p in enumerate(patch.get("processes", []) if isinstance(patch, dict) else []):
            if p not in catalog.processes:
                errors.append({"type": "unknown_process", "loc": ("catalog", "materials", key, "processes", i), "msg": f"unknown process '{p}'{did_you_mean(p, catalog.processes)}", "input": p})
    return catalog, errors
