"""Reading an Anki package (.apkg) as it is: its note types with their own ids and names, its notes,
decks and media, for `deck import`.

The package is imported, with Anki's own library (which reads every package version), into a
temporary collection that holds no note type of Anki's: a new collection's stock types would make
Anki rename a package's own `Basic` to `Basic-1a2b3` (a different suffix each run). Anki keeps at
least one note type in a collection, so the last stock one stays there, renamed out of the way and
left out of what is read.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from deck.notetypes import IMAGE_OCCLUSION, STOCK_KIND_IMAGE_OCCLUSION
from deck.pipeline import Progress, each_card, quiet

# The name of the stock note type a collection must keep: no package's note type has it.
_PLACEHOLDER = "\u2060deck import: not in the package"
# Anki's LaTeX in a field (rslib/src/latex.rs): its pictures are made by Anki, not named in the field.
_LATEX = re.compile(r"\[latex\].+?\[/latex\]|\[\$\].+?\[/\$\]|\[\$\$\].+?\[/\$\$\]", re.DOTALL | re.IGNORECASE)
_LATEX_IMAGE = re.compile(r'<img class=latex [^>]*src="([^"]+)"')


class PackageError(Exception):
    """The package cannot be read (or Anki's library is not installed)."""


@dataclass(frozen=True)
class AnkiNoteType:
    """A note type exactly as the package has it (Anki's legacy JSON names in comments)."""

    id: int
    name: str
    cloze: bool  # type == 1
    fields: list[str]  # flds, in order
    templates: list[tuple[str, str, str]]  # tmpls: (name, qfmt, afmt)
    css: str
    sort_field: int  # sortf
    latex_pre: str
    latex_post: str
    stock_kind: int  # originalStockKind: the stock type it was made from (6: image occlusion), 0 if none
    field_tags: tuple[int | None, ...]  # each field's `tag`, by which Anki finds a stock kind's fields

    @property
    def kind(self) -> str:
        """Its `kind` in a deck file: image-occlusion for Anki's own image occlusion type, known as Anki's
        editor knows it (originalStockKind, and its five fields by their tags in Anki's order; never by
        name, which Anki translates), else cloze or standard."""
        if (self.stock_kind, self.cloze, self.field_tags) == (STOCK_KIND_IMAGE_OCCLUSION, True, IMAGE_OCCLUSION.field_tags):
            return "image-occlusion"
        return "cloze" if self.cloze else "standard"


@dataclass(frozen=True)
class AnkiNote:
    """A note as Anki has it: fields are HTML, named when the file names them."""

    guid: str
    note_type: str
    fields: list[tuple[str, str]]
    tags: list[str]
    deck: str
    note_type_id: int = 0  # in a package; a text file names its note type only
    made: list[str] = field(default_factory=list)  # media Anki makes for it from its fields (LaTeX pictures)
    mod: int = 0  # when it was last changed, in seconds (0: not known, in a text file)
    line: int = 0  # in a text file, the line its row starts on
    other_decks: list[str] = field(default_factory=list)  # in a package, those its other cards are in


@dataclass
class Package:
    notes: list[AnkiNote]
    note_types: dict[int, AnkiNoteType]  # those the notes use, by id
    descriptions: dict[str, str]  # each deck's description, by its name
    media: Path  # the folder of the package's media files


def read(path: Path, folder: Path, progress: Progress = quiet) -> Package:
    """Every note of the package at `path`, in the package's order, read in `folder` (temporary);
    `progress` shows the reading of a big package's notes."""
    if not zipfile.is_zipfile(path):
        raise PackageError(f"{path}: not an Anki package (an .apkg is a zip file, and this is not one)")
    try:
        from anki.collection import Collection
        from anki.decks import DeckId
        from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest
        from anki.models import NotetypeId
    except ImportError as error:
        raise PackageError("reading .apkg files needs Anki's library; install it with: pip install 'anki>=25.2' "
                           "(the import extra of deck)") from error
    collection = Collection(str(folder / "collection.anki2"))
    try:
        first, *others = collection.models.all_names_and_ids()
        for stock in others:
            collection.models.remove(NotetypeId(stock.id))
        placeholder = collection.models.get(NotetypeId(first.id))
        assert placeholder is not None
        placeholder["name"] = _PLACEHOLDER
        collection.models.update_dict(placeholder)
        request = ImportAnkiPackageRequest(package_path=str(path.resolve()), options=ImportAnkiPackageOptions())
        try:
            collection.import_anki_package(request)
        except Exception as error:  # the backend raises its own types for corrupt or foreign files
            raise PackageError(f"{path}: Anki cannot read it: {error}") from error
        collection.models._clear_cache()  # (the backend's import changed them behind the Python side)
        note_types: dict[int, AnkiNoteType] = {}
        notes = []
        media = Path(collection.media.dir())
        note_ids = sorted(collection.find_notes(""))  # note ids keep the package's order
        for note_id in each_card(note_ids, progress, f"reading {path.name}"):
            note = collection.get_note(note_id)
            model = note.note_type()
            assert model is not None
            if model["id"] not in note_types:
                note_types[model["id"]] = AnkiNoteType(
                    model["id"], model["name"], model["type"] == 1, [item["name"] for item in model["flds"]],
                    [(item["name"], item["qfmt"], item["afmt"]) for item in model["tmpls"]], model["css"],
                    model["sortf"], model["latexPre"], model["latexPost"], model.get("originalStockKind", 0),
                    tuple(item.get("tag") for item in model["flds"]))
            cards = sorted(note.cards(), key=lambda card: card.ord)
            deck_id = (cards[0].odid or cards[0].did) if cards else DeckId(1)
            made: list[str] = []
            if any(_LATEX.search(value) for value in note.fields):
                shown = "".join(card.question() + card.answer() for card in cards)
                made = [name for name in dict.fromkeys(_LATEX_IMAGE.findall(shown)) if (media / name).is_file()]
            elsewhere = sorted({collection.decks.name(card.odid or card.did) for card in cards} -
                            {collection.decks.name(deck_id)})
            notes.append(AnkiNote(note.guid, model["name"],
                                  [(item["name"], value) for item, value in zip(model["flds"], note.fields)],
                                  list(note.tags), collection.decks.name(deck_id), model["id"], made, note.mod,
                                  other_decks=elsewhere))
        descriptions = {deck.name: (collection.decks.get(DeckId(deck.id)) or {}).get("desc", "")
                        for deck in collection.decks.all_names_and_ids()}
        return Package(notes, note_types, descriptions, media)
    finally:
        collection.close()
