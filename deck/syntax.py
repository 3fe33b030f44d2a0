"""libyaml's syntax errors in the author's words: what to do, and the place to do it.

libyaml says what its parser expected ("mapping values are not allowed in this context"); an author
needs to know what to change. Most syntax errors in a deck file are a few slips: a value with ': '
in it, Markdown or cloze text beginning with a character YAML reserves (`*`, `` ` ``, `>`, `{{`),
a line indented out of step, a list in brackets left open. Each becomes its fix here; an error
not recognised keeps libyaml's words (`deck.source`).
"""

from __future__ import annotations

import re

from deck.nodes import LINE_BREAK

_QUOTE = "put the value in quotes"
# After a value in [...] or {...} that ends before the line does: where the value began.
_FLOW_VALUE = re.compile(r"[ \t]*(?:-[ \t]+)*[^\s:#][^:\n\r]*:[ \t]+([\[{])")
_KEY_ALONE = re.compile(r"[ \t]*(?:-[ \t]+)*[^\s:#'\"][^:\n\r]*$")  # a line's text up to a key's ':'
_BRACKETS = {"[": ("]", "list"), "{": ("}", "mapping")}


def explain(text: str, problem: str, context: str | None, at: int, opened: int | None) -> tuple[int, str] | None:
    """Where to report libyaml's `problem` (found at offset `at` of `text`, while reading what
    began at `opened`) and what to do about it; None for an error this does not know."""
    found = text[at:at + 1]
    line_start = _line_start(text, at)
    if found == "\t":
        return at, "a tab cannot indent YAML; indent with spaces"
    if context == "while scanning a simple key" and opened is not None:  # found on the next line
        return opened, "this line has no ':' after its key; write 'key: value', or indent it as part of the value above"
    if problem == "mapping values are not allowed in this context":
        if _KEY_ALONE.match(text, line_start, at):
            return at, "this key is indented more than the keys above it; line it up with them"
        return at, f"': ' inside a value that is not in quotes starts a new key; {_QUOTE}, or start the new key on its own line"
    if problem == "found character that cannot start any token":
        return at, f"a value cannot begin with '{found}' in YAML; {_QUOTE}"
    if context in ("while scanning an alias", "while scanning an anchor") and opened is not None:
        return opened, f"a value beginning with '{text[opened]}' is read as a YAML {context.split()[-1]}; {_QUOTE}"
    if context == "while scanning a block scalar" and opened is not None:
        return opened, (f"a value beginning with '{text[opened]}' starts a block of text on the lines below; "
                        f"{_QUOTE}, or begin the text on the next line, indented")
    if problem == "block sequence entries are not allowed in this context":
        return at, f"a list item ('- ') cannot follow a key on its line; {_QUOTE}, or begin the list on the next line"
    if problem == "mapping keys are not allowed in this context":
        return at, f"a value beginning with '? ' is read as a YAML key; {_QUOTE}"
    if problem == "did not find expected '-' indicator":
        return at, ("this line is not indented like the keys above it, and does not begin a new item with '- '; "
                    "line it up with those keys, or begin it with '- '")
    if problem == "did not find expected key" and context == "while parsing a block mapping":
        return _after_value(text, at, line_start)
    if problem == "did not find expected node content" and context == "while parsing a flow node":
        if found == ",":
            return at, "an empty item: remove the extra ','"
        return at, f"an item in brackets cannot begin with '{found}'; put the item in quotes"
    if problem in ("did not find expected ',' or ']'", "did not find expected ',' or '}'") \
            and opened is not None and text[opened:opened + 1] in _BRACKETS:  # (a mark past a BOM may miss it)
        close, kind = _BRACKETS[text[opened]]
        return at, (f"expected ',' or '{close}' here, in the {kind} opened with '{text[opened]}' on line "
                    f"{_line(text, opened)}; put any value holding ',' or ': ' in quotes, or close the {kind} with '{close}'")
    return None


def _after_value(text: str, at: int, line_start: int) -> tuple[int, str]:
    """libyaml expected the next key at `at`: a line indented out of step, or more text after a value
    that ended early (in brackets or quotes) on its line."""
    if not text[line_start:at].strip():
        return at, "this line is indented out of step with the lines above it; line it up with the keys it belongs with"
    value = _FLOW_VALUE.match(text, line_start, at)
    if value is None:
        return at, f"more text follows the end of the value; {_QUOTE}"
    bracket = value.group(1)
    close, kind = _BRACKETS[bracket]
    cloze = " (cloze text beginning with {{c1::...}} always needs them)" if text.startswith("{{", value.start(1)) else ""
    return value.start(1), (f"a value beginning with '{bracket}' is read as a {kind} up to its '{close}', and more text "
                            f"follows it; {_QUOTE}{cloze}")


def _line_start(text: str, at: int) -> int:
    return max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1


def _line(text: str, at: int) -> int:
    """The 1-based line of offset `at`, counting line breaks as libyaml does."""
    return len(LINE_BREAK.findall(text, 0, at)) + 1
