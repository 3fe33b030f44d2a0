"""The `deck` command: a thin click shell over `deck.pipeline`.

Exit status: 0 success, 1 problems found (or the package could not be written), 2 wrong usage.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from deck import __version__, lint, lock, pipeline, schema
from deck.interop import export
from deck.problems import Problem
from deck.views import preview

_FILE = click.Path(exists=True, dir_okay=False, readable=True)
# A deck: one file, or a folder whose *.yaml files make one deck together.
_DECK = click.Path(exists=True, readable=True)


def _file_name(context: click.Context, parameter: click.Parameter, value: str | None) -> Path | None:
    """An output is a file, written atomically: '-' as typed would make a file named '-', which
    is asked for as ./- instead."""
    if value == "-":
        raise click.BadParameter("writing to standard output ('-') is not supported; give a file name")
    return None if value is None else Path(value)


def _report(path: str, problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(problem.format(), err=True)
    counts = [(sum(problem.severity == severity for problem in problems), severity) for severity in ("error", "warning")]
    summary = ", ".join(pipeline.count(number, severity) for number, severity in counts if number)
    click.echo(f"{path}: {summary}", err=True)


def _fail(path: str, problems: list[Problem]) -> NoReturn:
    """Report the problems that stopped a command, and exit with status 1."""
    _report(path, problems)
    raise SystemExit(1)


def _files(files: tuple[str, ...]) -> tuple[str, ...]:
    if files:
        return files
    if not Path("cards.yaml").is_file():
        raise click.UsageError("no FILE given and there is no cards.yaml here")
    return ("cards.yaml",)


def _progress(items: Sequence, label: str) -> Iterable:
    """A progress bar over long work (`deck.pipeline` says what is long), on a terminal only."""
    if not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield from bar


@contextmanager
def _failures(path: str | Path) -> Iterator[None]:
    """What stops a command before it could report problems: a file it cannot read or write, an
    output it must not write. Click prints these as 'Error: ...' and exits with status 1."""
    try:
        yield
    except (pipeline.BuildError, preview.PreviewError) as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.FileError(str(path), error.strerror) from error


def _check(path: str) -> pipeline.Checked:
    """The deck checked alone, for reporting: its notes are not made."""
    with _failures(path):
        return pipeline.check(path, _progress, notes=False)


def run(args: list[str] | None = None) -> NoReturn:
    """`deck` as installed, and `python -m deck`: `main`, then out of the process once its output is
    written. Python's own teardown (freeing each object, a last collection) took 0.1 s after every
    command, a fifth of checking the shipped deck; the operating system frees a process at once.
    mypy ends the same way. An error in the code itself still ends with its traceback.

    The cycle collector stays off to the end (see `main`): turned back on after a failed check of a
    big deck, whose traceback keeps the deck alive, it scanned the whole deck once more (0.6 s at
    30,000 cards) on the way out."""
    status: object = 0
    gc.disable()
    try:
        main(args)
    except SystemExit as done:
        status = done.code
    if not isinstance(status, int):  # None is success; text is a message (Python prints it, exits 1)
        if status is not None:
            click.echo(status, err=True)
        status = 0 if status is None else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # (None when the shell closed it: deck validate >&-)
                stream.flush()
        except OSError:  # the reader has gone (deck validate | head): nothing more can be said
            pass
    os._exit(status)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deck")
def main() -> None:
    """Check flashcards kept in YAML and compile them into an Anki package.

    \b
      deck validate cards.yaml      report every problem as FILE:LINE:COL
      deck build cards.yaml         write <deck id>.apkg for Anki
    """
    # Python's cycle collector would only re-scan the deck's hundreds of thousands of objects, again
    # and again (a third of a big build's time), for cycles the compiler does not make: off while a
    # command runs, and back on after it for callers in the same process that had it on.
    if gc.isenabled():
        gc.disable()
        click.get_current_context().call_on_close(gc.enable)


@main.command()
@click.argument("files", nargs=-1, type=_DECK)
def validate(files: tuple[str, ...]) -> None:
    """Check each FILE (default: cards.yaml) and report every problem at once.

    Each problem is one line, FILE:LINE:COL: error: message, sorted by position.
    Exit status is 0 when every deck is valid and 1 when any has problems.

    \b
    Example:
      $ deck validate cards.yaml
      cards.yaml:12:5: error: card 'tca-sessions': 'answer' is required
    """
    failed = False
    for file in _files(files):
        checked = _check(file)
        if checked.ok:
            click.echo(f"{file}: {checked.counts()}, no problems")
        else:
            _report(file, checked.problems)
            failed = True
    if failed:
        raise SystemExit(1)


@main.command("lint")
@click.argument("files", nargs=-1, type=_DECK)
@click.option("--strict", is_flag=True, help="Exit with status 1 when there is any warning.")
def lint_command(files: tuple[str, ...], strict: bool) -> None:
    """Check the quality of the cards in each FILE (default: cards.yaml), not just their validity.

    Warnings follow the rules for formulating knowledge: short answers, one fact per card, no
    yes/no questions, no question that gives its answer away, no near-duplicates, short cloze
    deletions numbered without gaps, a source for every card, closed Markdown. Each ends with
    its rule id; turn a rule off with `lint: {disable: [rule-id]}` under `deck:` or on a card.
    Exit status is 0 with warnings (1 with --strict) and 1 when the deck is invalid.

    \b
    Example:
      $ deck lint --strict cards.yaml
      cards.yaml:40:15: warning: card 'grafting': yes/no question; ask for the fact itself (what, which, how ...) (yes-no-question)
    """
    failed = False
    for file in _files(files):
        checked = _check(file)
        problems = checked.problems if not checked.ok else lint.run(checked, _progress)
        if problems:
            _report(file, problems)
        else:
            click.echo(f"{file}: {checked.counts()}, no warnings")
        failed = failed or not checked.ok or (strict and bool(problems))
    if failed:
        raise SystemExit(1)


@main.command()
@click.argument("file", default="cards.yaml", type=_DECK)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=str),
              help="Where to write the package (default: <deck id>.apkg here).", callback=_file_name)
def build(file: str, output: Path | None) -> None:
    """Check FILE (default: cards.yaml) and write an Anki package (.apkg).

    Nothing is written while the deck has a problem, and a previous package is replaced only
    once the new one is complete. Set SOURCE_DATE_EPOCH for a reproducible build.

    \b
    Examples:
      $ deck build
      wrote ice-pick-scars.apkg: 73 notes (57 basic, 6 reversed, 10 cloze), 82 cards
      $ deck build cards.yaml -o dist/ice-pick-scars.apkg
    """
    with _failures(file):
        checked, built = pipeline.build(file, output, _progress)
    if built is None:
        _fail(file, checked.problems)
    click.echo(f"wrote {built.out}: {checked.counts()}")
    _summarise(built, checked)


def _summarise(built: pipeline.Built, checked: pipeline.Checked) -> None:
    """What changed since the previous build, as recorded in the lock file."""
    changes = built.changes
    if changes.first_build:
        click.echo(f"first build: recorded every card in {built.lock_path.name}; commit it with the deck")
        return
    if not (changes.added or changes.changed or changes.removed or changes.note_types):
        click.echo("no card changed since the last build")
        return
    for label, names in (("added", changes.added), ("changed", changes.changed), ("removed", list(changes.removed)),
                         ("note types restyled", changes.note_types)):
        if names:
            click.echo(f"{label} ({len(names)}): {', '.join(names)}")
    # A removed card the search would not tell from a kept one is left out of it: students delete
    # whatever it finds.
    alike = lock.search_twins(changes.removed, [(note.card_id, note.kind, note.fields[0]) for note in checked.notes])
    findable = [(entry.kind, entry.prompt) for card_id, entry in changes.removed.items() if card_id not in alike]
    if findable:
        assert checked.deck is not None
        search = lock.removed_search(checked.deck.deck.name, findable, checked.note_types)
        click.echo("removed cards stay in students' collections until they delete them; "
                   f"this search in Anki's browser finds them:\n  {search}")
    for card_id, twin in alike.items():
        if twin in changes.added:  # a card given a new id: a new note to Anki
            click.echo(f"card '{twin}' is new but begins like removed card '{card_id}': if it is that card renamed, "
                       f"students will keep the old note and get a second one. To keep theirs, restore "
                       f"{built.lock_path.name} from version control, give the card back the id '{card_id}', and "
                       "build again")
        else:
            click.echo(f"removed card '{card_id}' is not in a search: card '{twin}', which stays, begins the same "
                       "way; tell students how to find it by its back")


@main.command("ids")
@click.argument("file", default="cards.yaml", type=_DECK)
def assign_ids(file: str) -> None:
    """Give every card in FILE (default: cards.yaml) that has no id a readable one. A deck in
    several files (a folder, or a file with include:) gets ids in each of its files.

    Ids are made from each card's question (or cloze text), unique in the deck. Only a line
    'id: ...' is added per card: comments, key order, quoting and blank lines stay exactly as they
    were. Ids are permanent once the deck is published, so review them before you build.

    \b
    Example:
      $ deck ids cards.yaml
      cards.yaml: added 2 ids: wide-typical-ice-pick-scar, one-tca-cross-session-improves
    """
    # Imported here: it reads with positions (PyYAML), which validate, lint and export need only for problems.
    from deck import ids

    with _failures(file):
        added, problems = ids.assign(Path(file))
    if problems:
        _fail(file, problems)
    if added:
        click.echo(f"{file}: added {pipeline.count(len(added), 'id')}: {', '.join(added)}")
    else:
        click.echo(f"{file}: every card already has an id")


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the deck file format, for editors.

    With the schema saved beside the deck, this first line in cards.yaml makes VS Code's YAML
    extension (and other YAML language servers) complete keys and check cards while you type:

    \b
      # yaml-language-server: $schema=cards.schema.json

    \b
    Example:
      $ deck schema > cards.schema.json
    """
    click.echo(schema.dumps(), nl=False)


@main.command("preview")
@click.argument("file", default="cards.yaml", type=_DECK)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=str),
              default="preview.html", show_default=True, help="Where to write the page.", callback=_file_name)
def preview_command(file: str, output: Path) -> None:
    """Check FILE (default: cards.yaml) and write one HTML page showing every card as Anki does.

    The page works offline: pictures, sound and styles are inside it. Type in it to filter cards
    by tag or text; print it for a handout with the questions and answers of the cards shown.
    Needs Anki's renderer, the anki package (deck's preview extra). Nothing is written while the deck has a
    problem.

    \b
    Example:
      $ deck preview cards.yaml -o preview.html
      wrote preview.html: 73 notes (57 basic, 6 reversed, 10 cloze), 82 cards
    """
    with _failures(file):
        checked = preview.write_preview(file, output)
    if not checked.ok:
        _fail(file, checked.problems)
    click.echo(f"wrote {output}: {checked.counts()}")


@main.command("export")
@click.argument("file", default="cards.yaml", type=_DECK)
@click.option("--csv", "csv_out", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Where to write the Anki text file.", callback=_file_name)
@click.option("--separator", type=click.Choice(["tab", "comma"]), default="tab", show_default=True)
def export_command(file: str, csv_out: Path, separator: str) -> None:
    """Check FILE (default: cards.yaml) and write its notes as an Anki text file (CSV).

    Header lines give each note's type, deck, tags and GUID, so importing the file into Anki
    (2.1.55 or newer) with the default options gives the same notes as the .apkg. Anki cannot
    create note types from a text file: import the deck's .apkg once first. Pictures and sounds
    are not part of a text file.

    \b
    Example:
      $ deck export cards.yaml --csv ice-pick-scars.csv
      wrote ice-pick-scars.csv: 73 notes
    """
    with _failures(csv_out):
        checked, exported = export.export_csv(file, csv_out, separator)
    if exported is None:
        _fail(file, checked.problems)
    click.echo(f"wrote {exported.out}: {pipeline.count(exported.notes, 'note')}")
    if exported.media:
        click.echo(f"note: {len(exported.media)} media file(s) are not in a text file; import the .apkg to get them",
                   err=True)


@main.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=Path("cards.yaml"),
              show_default=True, help="The deck file to write.", callback=_file_name)
@click.option("--force", is_flag=True, help="Replace OUTPUT and files of the same name in media/.")
def import_command(source: Path, output: Path, force: bool) -> None:
    """Convert an Anki deck (.apkg, or a .csv/.txt file with Anki's headers) into a deck file.

    Basic, reversed, type-in and cloze notes become cards, each keeping its GUID, so a rebuilt
    deck updates the cards students already have instead of duplicating them. Pictures and sounds
    are copied into media/ beside OUTPUT. Anything that cannot be kept is reported. Reading .apkg
    files needs Anki's backend, the anki package (deck's import extra).

    \b
    Example:
      $ deck import German.apkg -o cards.yaml
      German.apkg: skipped 1 note of note type 'Vocabulary': only basic, reversed, type-in and cloze notes can be converted
      wrote cards.yaml: 4 cards, 2 media files in media/
    """
    from deck.interop import importer  # here, as no other command needs it: 0.01 s of each of theirs

    try:
        imported = importer.import_deck(source, output, force)
    except importer.ImportFailed as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:  # reading the source or writing the output: name both
        raise click.ClickException(f"cannot import {source} into {output}: {error.strerror or error}") from error
    for message in imported.messages:
        click.echo(message, err=True)
    if imported.problems:
        _fail(str(output), imported.problems)
    media = f", {len(imported.media)} media files in media/" if imported.media else ""
    click.echo(f"wrote {imported.out}: {pipeline.count(imported.cards, 'card')}{media}")
