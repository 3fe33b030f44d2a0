"""`deck schema`: the JSON Schema of the file format, generated from the data model in `deck.cards`.

YAML language servers (VS Code's YAML extension and others) use it to complete and check
`cards.yaml` while it is typed. It is pydantic's schema, simplified for YAML: optional keys are
plain text (an empty YAML value is text here, never null), and source keys must be ids.
"""

from __future__ import annotations

import json
from typing import Any

from deck.cards import SLUG_PATTERN, Deck

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    schema = _simplify(Deck.model_json_schema())
    schema["properties"]["sources"].update(propertyNames={"pattern": SLUG_PATTERN}, additionalProperties=False)
    schema.pop("patternProperties", None)
    return {"$schema": SCHEMA_DIALECT, **schema, "title": "deck file (cards.yaml)"}


def dumps() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _simplify(node: Any) -> Any:
    """`anyOf: [X, {type: null}]` with `default: null` -> X (pydantic's way of saying optional)."""
    if isinstance(node, list):
        return [_simplify(item) for item in node]
    if not isinstance(node, dict):
        return node
    options = node.get("anyOf")
    if options and {"type": "null"} in options and len(options) == 2:
        [kept] = [option for option in options if option != {"type": "null"}]
        node = {**{k: v for k, v in node.items() if k not in ("anyOf", "default")}, **kept}
    return {key: _simplify(value) for key, value in node.items()}
