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

from deck import __version__, files, lint, lock, pipeline, schema
from deck.interop import export
from deck.problems import Problem, shown
from deck.views import preview

_FILE = click.Path(exists=True, dir_okay=False, readable=True)
# A deck: one file, or a folder whose *.yaml files make one deck together.
_DECK = click.Path(exists=True, readable=True)


def _file_name(context: click.Context, parameter: click.Parameter, value: str | None) -> Path | None:
    """An output is a file, written atomically: '-' as typed would make a file named '-', which
    is asked for as ./- instead. What is no place for an output (a device, a pipe, a folder that
    does not exist) is refused before any work; the deck's own files, once they are known."""
    if value == "-":
        raise click.BadParameter("writing to standard output ('-') is not supported; give a file name")
    if value is None:
        return None
    try:
        files.check_output(Path(value))
    except files.Refused as error:
        raise click.BadParameter(str(error)) from error
    return Path(value)


def _say(text: str, err: bool = False) -> None:
    """One line of output: what it quotes from a deck, or a file's name, `shown` as one line."""
    click.echo(shown(text), err=err)


# As compilers do: past this many errors, more are counted but not printed (0: print every one).
_max_errors = click.option("--max-errors", type=click.IntRange(min=0), default=1000, show_default=True, metavar="N",
                           help="Print at most N errors, then how many more there are (0: print all).")


def _report(path: str, problems: list[Problem], max_errors: int, unreported: int = 0) -> None:
    """Each problem on its line, in order, but errors after the first `max_errors`; then how many
    errors were left out (with `unreported`, those counted but never made into problems), and the
    counts."""
    errors = unreported
    for problem in problems:
        if problem.severity == "error":
            errors += 1
            if errors - unreported > max_errors > 0:
                continue
        click.echo(problem.format(), err=True)
    if errors > max_errors > 0:
        _say(f"{path}: {pipeline.count(errors - max_errors, 'more error')} not reported "
             f"(--max-errors {max_errors}; 0 reports all)", err=True)
    counts = [(errors, "error"), (len(problems) + unreported - errors, "warning")]
    summary = ", ".join(pipeline.count(number, severity) for number, severity in counts if number)
    _say(f"{path}: {summary}", err=True)


def _fail(path: str, problems: list[Problem], max_errors: int, unreported: int = 0) -> NoReturn:
    """Report the problems that stopped a command, and exit with status 1."""
    _report(path, problems, max_errors, unreported)
    raise SystemExit(1)


_NO_CARDS_YAML = "no FILE given and there is no cards.yaml here; give a deck file or folder, or start one with 'deck init'"


def _first(names: list[str], shown_at_most: int = 10) -> str:
    """'a, b, c', or the first `shown_at_most` of a long list and how many more: a build that changes
    every card says so in a line, not in 27,000 names."""
    more = len(names) - shown_at_most
    return ", ".join(names[:shown_at_most]) + (f", ... and {more} more" if more > 0 else "")


def _files(files: tuple[str, ...]) -> tuple[str, ...]:
    if files:
        return files
    if not Path("cards.yaml").is_file():
        raise click.UsageError(_NO_CARDS_YAML)
    return ("cards.yaml",)


def _deck_or_default(context: click.Context, parameter: click.Parameter, value: str | None) -> str:
    """FILE, or ./cards.yaml when none is given: one message for its absence, as for `_files`."""
    return value if value is not None else _files(())[0]


def _progress(items: Sequence, label: str) -> Iterable:
    """A progress bar over long work (`deck.pipeline` says what is long), on a terminal only."""
    if not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(items, label=shown(label), file=sys.stderr) as bar:
        yield from bar


@contextmanager
def _failures(path: str | Path) -> Iterator[None]:
    """What stops a command before it could report problems: a file it cannot read or write
    (click prints 'Error: ...' and exits with status 1), an output it must not write (wrong usage:
    status 2)."""
    try:
        yield
    except (pipeline.BuildError, preview.PreviewError) as error:
        raise click.ClickException(shown(str(error))) from error
    except files.Refused as error:  # an output the deck is made from: wrong usage
        raise click.UsageError(shown(str(error))) from error
    except OSError as error:
        raise click.FileError(shown(str(path)), error.strerror) from error


def _check(path: str, max_errors: int = 0) -> pipeline.Checked:
    """The deck checked alone, for reporting: its notes are not made."""
    with _failures(path):
        return pipeline.check(path, _progress, notes=False, max_errors=max_errors)


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
      deck init french-verbs        start a new deck: cards.yaml with one card of each type
      deck validate cards.yaml      report every problem as FILE:LINE:COL
      deck build cards.yaml         write <deck id>.apkg for Anki
      deck preview --serve          see every card as Anki shows it, updated on each save
    """
    # Python's cycle collector would only re-scan the deck's hundreds of thousands of objects, again
    # and again (a third of a big build's time), for cycles the compiler does not make: off while a
    # command runs, and back on after it for callers in the same process that had it on.
    if gc.isenabled():
        gc.disable()
        click.get_current_context().call_on_close(gc.enable)


@main.command()
@click.argument("files", nargs=-1, type=_DECK)
@_max_errors
def validate(files: tuple[str, ...], max_errors: int) -> None:
    """Check each FILE (default: cards.yaml) and report every problem at once.

    Each problem is one line, FILE:LINE:COL: error: message, sorted by position; what a
    message quotes from the deck shows control characters escaped (\\x1b, \\n, \\u2028).
    After --max-errors errors (1000), the rest are counted, not printed.
    Exit status is 0 when every deck is valid and 1 when any has problems.

    \b
    Example:
      $ deck validate cards.yaml
      cards.yaml:12:5: error: card 'tca-sessions': 'answer' is required
    """
    failed = False
    for file in _files(files):
        checked = _check(file, max_errors)
        if checked.ok:
            _say(f"{file}: {checked.counts()}, no problems")
        else:
            _report(file, checked.problems, max_errors, checked.unreported)
            failed = True
    if failed:
        raise SystemExit(1)


@main.command("lint")
@click.argument("files", nargs=-1, type=_DECK)
@click.option("--strict", is_flag=True, help="Exit with status 1 when there is any warning.")
@_max_errors
def lint_command(files: tuple[str, ...], strict: bool, max_errors: int) -> None:
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
            _report(file, problems, max_errors)
        else:
            _say(f"{file}: {checked.counts()}, no warnings")
        failed = failed or not checked.ok or (strict and bool(problems))
    if failed:
        raise SystemExit(1)


@main.command()
@click.argument("file", required=False, type=_DECK, callback=_deck_or_default)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=str),
              help="Where to write the package (default: <deck id>.apkg here).", callback=_file_name)
@_max_errors
def build(file: str, output: Path | None, max_errors: int) -> None:
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
        checked, built = pipeline.build(file, output, _progress, max_errors)
    if built is None:
        _fail(file, checked.problems, max_errors, checked.unreported)
    _say(f"wrote {built.out}: {checked.counts()}")
    _summarise(built, checked)


def _summarise(built: pipeline.Built, checked: pipeline.Checked) -> None:
    """What changed since the previous build, as recorded in the lock file."""
    changes = built.changes
    if changes.first_build:
        _say(f"first build: recorded every card in {built.lock_path.name}; commit it with the deck")
        return
    if not (changes.added or changes.changed or changes.removed or changes.note_types):
        click.echo("no card changed since the last build")
        return
    for label, names in (("added", changes.added), ("changed", changes.changed), ("removed", list(changes.removed)),
                         ("note types restyled", changes.note_types)):
        if names:
            _say(f"{label} ({len(names)}): {_first(names)}")
    # A removed card the search would not tell from a kept one is left out of it: students delete
    # whatever it finds.
    alike = lock.search_twins(changes.removed, [(note.card_id, note.kind, note.fields[0]) for note in checked.notes])
    findable = [(entry.kind, entry.prompt) for card_id, entry in changes.removed.items() if card_id not in alike]
    if findable:
        assert checked.deck is not None
        search = lock.removed_search(checked.deck.deck.name, findable, checked.note_types)
        click.echo("removed cards stay in students' collections until they delete them; "
                   "this search in Anki's browser finds them:")
        _say(f"  {search}")
    for card_id, twin in alike.items():
        if twin in changes.added:  # a card given a new id: a new note to Anki
            _say(f"card '{twin}' is new but begins like removed card '{card_id}': if it is that card renamed, "
                       f"students will keep the old note and get a second one. To keep theirs, restore "
                       f"{built.lock_path.name} from version control, give the card back the id '{card_id}', and "
                       "build again")
        else:
            _say(f"removed card '{card_id}' is not in a search: card '{twin}', which stays, begins the same "
                       "way; tell students how to find it by its back")


@main.command("ids")
@click.argument("file", required=False, type=_DECK, callback=_deck_or_default)
@_max_errors
def assign_ids(file: str, max_errors: int) -> None:
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
        _fail(file, problems, max_errors)
    if added:
        _say(f"{file}: added {pipeline.count(len(added), 'id')}: {_first(added)}")
    else:
        _say(f"{file}: every card already has an id")


@main.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--id", "deck_id", help="The deck's id, fixed for good (default: made from FOLDER's name).")
@click.option("--name", help="The deck's name in Anki (default: FOLDER's name, with spaces for '-' and '_').")
def init_command(folder: Path, deck_id: str | None, name: str | None) -> None:
    """Start a new deck in FOLDER (default: here; made if missing).

    Writes cards.yaml, with one card of each type whose comments explain the syntax, the schema
    editors check it with (cards.schema.json), a .gitignore for built packages and a
    .pre-commit-config.yaml running deck's hooks. The deck validates, lints clean and builds as
    it is: replace the example cards with yours. Never overwrites a file (exit status 2).

    \b
    Examples:
      $ deck init french-verbs
      wrote french-verbs/cards.yaml, cards.schema.json, .gitignore, .pre-commit-config.yaml
      $ deck init --id ice-pick-scars --name "Dermatology::Ice pick scars"
    """
    from deck import starter  # here, as no other command needs it

    try:
        written = starter.start(folder, deck_id, name)
    except starter.StartError as error:
        raise click.UsageError(shown(str(error))) from error
    except OSError as error:
        raise click.FileError(str(folder), error.strerror) from error
    _say(f"wrote {written[0]}, {', '.join(path.name for path in written[1:])}")
    into = "" if folder == Path(".") else f"cd {folder}, then "
    _say(f"next: {into}replace the example cards in cards.yaml with yours, and run 'deck build'")


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
@click.argument("file", required=False, type=_DECK, callback=_deck_or_default)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=str),
              default="preview.html", show_default=True, help="Where to write the page.", callback=_file_name)
@click.option("--serve", "live", is_flag=True,
              help="Write no file: serve the page on 127.0.0.1 and reload it on every save of the deck.")
@click.option("--port", type=click.IntRange(0, 65535), help="The port to serve on (default: a free one).")
@_max_errors
def preview_command(file: str, output: Path, live: bool, port: int | None, max_errors: int) -> None:
    """Check FILE (default: cards.yaml) and write one HTML page showing every card as Anki does.

    The page works offline: pictures, sound and styles are inside it. Type in it to filter cards
    by tag or text; print it for a handout with the questions and answers of the cards shown.
    Needs Anki's renderer, the anki package (deck's preview extra). Nothing is written while the deck has a
    problem.

    With --serve, the page is served on this machine alone (127.0.0.1) until Ctrl-C, and checked
    again whenever the deck's files or media change: the open page reloads by itself, keeps its
    filter, and lists the deck's problems above its last valid cards while it has any.

    \b
    Examples:
      $ deck preview cards.yaml -o preview.html
      wrote preview.html: 73 notes (57 basic, 6 reversed, 10 cloze), 82 cards
      $ deck preview --serve --port 8000
      cards.yaml: 73 notes (57 basic, 6 reversed, 10 cloze), 82 cards, page updated
      serving the preview at http://127.0.0.1:8000/ (Ctrl-C stops)
    """
    if live:
        if click.get_current_context().get_parameter_source("output") is not click.core.ParameterSource.DEFAULT:
            raise click.UsageError("--serve writes no file; leave out -o/--output")
        from deck.views import serve  # here: only serving needs the watcher

        with _failures(file):
            serve.serve(file, port or 0, click.echo)
        return
    if port is not None:
        raise click.UsageError("--port is for --serve")
    with _failures(file):
        checked = preview.write_preview(file, output)
    if not checked.ok:
        _fail(file, checked.problems, max_errors)
    _say(f"wrote {output}: {checked.counts()}")


@main.command("export")
@click.argument("file", required=False, type=_DECK, callback=_deck_or_default)
@click.option("--csv", "csv_out", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Where to write the Anki text file.", callback=_file_name)
@click.option("--separator", type=click.Choice(["tab", "comma"]), default="tab", show_default=True)
@_max_errors
def export_command(file: str, csv_out: Path, separator: str, max_errors: int) -> None:
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
        _fail(file, checked.problems, max_errors)
    _say(f"wrote {exported.out}: {pipeline.count(exported.notes, 'note')}")
    if exported.media:
        click.echo(f"note: {len(exported.media)} media file(s) are not in a text file; import the .apkg to get them",
                   err=True)


@main.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=Path("cards.yaml"),
              show_default=True, help="The deck file to write.", callback=_file_name)
@click.option("--force", is_flag=True, help="Replace OUTPUT and files of the same name in media/.")
@_max_errors
def import_command(source: Path, output: Path, force: bool, max_errors: int) -> None:
    """Convert an Anki deck (.apkg, or a .csv/.txt text file from Anki) into a deck file.

    Each note keeps its GUID and note type, so a rebuilt deck updates the notes students already
    have instead of duplicating them. A package's own note types are declared as they are; notes of
    Anki's stock types in a text file become deck's card types. Pictures and sounds are copied into
    media/ beside OUTPUT. What cannot be kept is reported, and what the build would refuse (a remote
    picture, one the package lacks) is kept and reported where it is. Reading .apkg files needs
    Anki's backend, the anki package (deck's import extra).

    \b
    Example:
      $ deck import German.apkg -o cards.yaml
      note type 'Vocabulary': its templates run scripts in Anki; the deck file says 'scripts: yes' for it: review them
      wrote cards.yaml: 4 cards, 2 media files in media/
    """
    from deck.interop import importer  # here, as no other command needs it: 0.01 s of each of theirs

    try:
        imported = importer.import_deck(source, output, force, _progress)
    except importer.ImportFailed as error:
        for message in error.messages:
            _say(message, err=True)
        raise click.ClickException(shown(str(error))) from error
    except files.Refused as error:
        raise click.UsageError(shown(str(error))) from error
    except OSError as error:  # reading the source or writing the output: name both
        raise click.ClickException(shown(f"cannot import {source} into {output}: {error.strerror or error}")) from error
    for message in imported.messages:
        _say(message, err=True)
    media = f", {pipeline.count(len(imported.media), 'media file')} in media/" if imported.media else ""
    _say(f"wrote {imported.out}: {pipeline.count(imported.cards, 'card')}{media}")
    if imported.problems:  # (what the build would stop at, to fix in the file just written)
        _fail(str(output), imported.problems, max_errors)


@main.command("pull")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("file", required=False, type=_DECK, callback=_deck_or_default)
@click.option("--dry-run", is_flag=True, help="Print what would change, as a unified diff, and write nothing.")
@_max_errors
def pull_command(package: Path, file: str, dry_run: bool, max_errors: int) -> None:
    """Take the edits made in Anki, in an exported PACKAGE, back into FILE (default: cards.yaml).

    Notes are matched to cards by GUID. Changed fields are written back in place, as Markdown
    (as HTML for a field kept as HTML), and tags and subdecks follow Anki's; nothing else in the
    files changes. A card changed both in the deck since the last build (cards.lock) and in Anki
    is left as it is and reported with both versions, as is a value that would make the deck
    invalid: then the exit status is 1, after the rest is pulled.

    \b
    Example:
      $ deck pull ~/Exported.apkg cards.yaml
      cards.yaml: pulled 2 cards from Exported.apkg: width, tca
    """
    from deck.interop import pull

    with _failures(file):
        try:
            pulled = pull.pull(package, Path(file), dry_run)
        except pull.PullFailed as error:
            raise click.ClickException(shown(str(error))) from error
    if not pulled.deck_ok:
        _fail(file, pulled.problems, max_errors)
    if dry_run:
        click.echo(pulled.diff, nl=False)
    for message in pulled.messages:
        _say(message, err=True)
    if pulled.missing:
        _say(f"{file}: {pipeline.count(len(pulled.missing), 'card')} not in {package.name}, kept: "
             f"{_first(pulled.missing)}", err=True)
    for number, what in ((pulled.elsewhere, "of other decks, left alone"),
                         (pulled.unknown, "of this deck not of its note types, not added: add "
                                          + ("it" if pulled.unknown == 1 else "them") + " by hand")):
        if number:
            _say(f"{package.name}: {pipeline.count(number, 'note')} {what}", err=True)
    did_pull, did_add = ("would pull", "would add") if dry_run else ("pulled", "added")
    _say(f"{file}: {did_pull} {pipeline.count(len(pulled.changed), 'card')} from {package.name}"
         + (f": {_first(pulled.changed)}" if pulled.changed else ""))
    for names, what in ((pulled.added, "new card"), (pulled.media, "new media file")):
        if names:
            _say(f"{file}: {did_add} {pipeline.count(len(names), what)}: {_first(names)}")
    if pulled.problems or pulled.conflicts:
        _fail(file, sorted([*pulled.problems, *pulled.conflicts]), max_errors)


@main.command("handout")
@click.argument("file", required=False, type=_DECK, callback=_deck_or_default)
@click.option("--tag", "tags", multiple=True, metavar="TAG",
              help="Only notes with this tag or a tag below it (a selects a and a::b); repeat for any of several.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=str), callback=_file_name,
              help="Where to write it: a .pdf, or an .html page (default: <deck id>-handout.pdf here).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True, help="The page size.")
@_max_errors
def handout_command(file: str, tags: tuple[str, ...], output: Path | None, paper: str, max_errors: int) -> None:
    """Check FILE (default: cards.yaml) and write a document to read and print, not to study.

    The deck's title and description, then each selected note once, by subdeck in the order of
    the deck file: a question with its answer, a cloze card as its whole sentence with the
    deleted parts marked, pictures included; sources once, numbered, at the end. A PDF (page
    numbers, no note split across pages) needs WeasyPrint (deck's handout extra) and the Pango
    library; an .html output is the same document as one page. Nothing is written while the
    deck has a problem; a tag that no note has is a usage error (exit status 2).

    \b
    Examples:
      $ deck handout cards.yaml --tag patient-friendly -o patient-handout.pdf
      wrote patient-handout.pdf: 34 notes in 3 sections, 1 source
      $ deck handout --paper letter -o handout.html
    """
    from deck.views import handout  # here, as no other command needs it

    if output is not None and output.suffix.lower() not in handout.FORMATS:
        raise click.BadParameter(f"'{output}' must end in {' or '.join(handout.FORMATS)}", param_hint="'-o'")
    try:
        with _failures(file):
            checked, written = handout.write_handout(file, output, tags, paper)
    except handout.NothingSelected as error:
        raise click.BadParameter(str(error), param_hint="'--tag'") from error
    except handout.HandoutError as error:
        raise click.ClickException(str(error)) from error
    if written is None:
        _fail(file, checked.problems, max_errors)
    sections = pipeline.count(written.sections, "section")
    _say(f"wrote {written.out}: {pipeline.count(written.notes, 'note')} in {sections}, "
               f"{pipeline.count(written.sources, 'source')}")
