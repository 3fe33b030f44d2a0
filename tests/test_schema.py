"""`deck schema`: a JSON Schema that editors can use, kept in step with the validator."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml_rs
from click.testing import CliRunner

from deck.cli import main
from tests.conftest import EXAMPLE_DECK

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(CliRunner().invoke(main, ["schema"]).stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(validator: jsonschema.Draft202012Validator, text: str) -> list[str]:
    """The schema's complaints about `text` read as an editor's YAML language server reads it: YAML 1.2,
    where `left: 0.1` is a number (deck reads every value as text, and a number's text as the number)."""
    return [error.message for error in validator.iter_errors(yaml_rs.loads(text, parse_datetime=False))]


def test_the_committed_schema_is_what_deck_schema_prints() -> None:
    assert (ROOT / "cards.schema.json").read_text() == CliRunner().invoke(main, ["schema"]).stdout


def test_the_shipped_deck_names_the_schema_for_language_servers() -> None:
    assert (ROOT / "cards.yaml").read_text().splitlines()[0] == "# yaml-language-server: $schema=cards.schema.json"


def test_valid_decks_pass_the_schema(validator) -> None:
    assert errors(validator, (ROOT / "cards.yaml").read_text()) == []
    assert errors(validator, EXAMPLE_DECK) == []


@pytest.mark.parametrize(
    "text",
    [
        "deck: {id: t, name: T}\ncards:\n  - {id: a, question: q, anwser: a}\n",
        "deck: {id: t, name: T}\ncards:\n  - {id: Bad Id, question: q, answer: a}\n",
        "deck: {id: t, name: T}\ncards:\n  - {id: a, type: cloze, question: q}\n",
        "deck: {id: t, name: T}\ncards:\n  - {id: a, question: q, answer: a, tags: [two words]}\n",
        "deck: {id: t, name: T}\nsources:\n  Bad Key: {title: t}\ncards:\n  - {id: a, question: q, answer: a}\n",
        "deck: {id: t, name: T, lint: {disable: [no-such-rule]}}\ncards:\n  - {id: a, question: q, answer: a}\n",
        *(f"deck: {{id: t, name: T}}\ncards:\n  - {{id: a, type: image-occlusion, image: a.png, masks: [{mask}]}}\n"
          for mask in ("{shape: rect, left: 1.2, top: 0, width: 0.1, height: 0.1}",
                       "{shape: circle, left: 0.1, top: 0, width: 0.1, height: 0.1}",
                       "{shape: rect, left: 0.1, top: 0, width: 0.1, height: 0.1, colour: red}")),
    ],
)
def test_invalid_decks_fail_the_schema(validator, text: str) -> None:
    assert errors(validator, text) != []
