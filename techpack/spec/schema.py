"""The spec's JSON Schema, generated from the same model that validates it."""

from __future__ import annotations

import json

from techpack.spec.model import Spec


def schema_json() -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **Spec.model_json_schema()}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
