"""Media files referenced by cards: checked, named as Anki will name them, and packed once each.

A reference is a path relative to the deck file's folder. It must stay inside that folder (no
'..', no absolute path, no symlink leading out, no hard link, whose other names could be
anywhere), be a regular file of an allowed type whose content agrees with its extension, and be
small enough to sync. Anki keeps media in one flat folder and normalises names, so each file is
packed under its own normalised name, and two files that would land on the same name (on a
case-insensitive disk too) are refused.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from html import unescape
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# AnkiWeb does not sync files over 100 MB; cards rarely need more than a few. A low cap keeps
# decks small for phones and catches the wrong file (a video, a raw photo) early.
MAX_MEDIA_BYTES = 10 * 1024 * 1024

# Anki's media names: at most 120 bytes of UTF-8 (longer names are truncated on import).
MAX_NAME_BYTES = 120

# The media files deck packs, by extension, with their MIME types.
MEDIA_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".svg": "image/svg+xml",
    ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".m4a": "audio/mp4", ".wav": "audio/wav",
    ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2",
}
_IMAGE_TYPES = {suffix for suffix, mime in MEDIA_TYPES.items() if mime.startswith("image/")}
_SOUND_TYPES = {suffix for suffix, mime in MEDIA_TYPES.items() if mime.startswith("audio/")}
# What a note type's templates and CSS may use (a font by @font-face, a background picture): no script.
_TEMPLATE_TYPES = _IMAGE_TYPES | {suffix for suffix, mime in MEDIA_TYPES.items() if mime.startswith("font/")}
_FORBIDDEN_IN_NAMES = re.compile(r'[/\\:*?"<>|\x00-\x1f]')
_RESERVED_NAMES = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$", re.IGNORECASE)


def references(fields: tuple[str, ...] | list[str]) -> set[str]:
    """The media names a note's rendered fields point at: <img src="..."> and [sound:...]."""
    found: set[str] = set()
    for html in fields:
        found.update(unescape(name) for name in re.findall(r'<img [^>]*?src="([^"]+)"', html))
        found.update(re.findall(r"\[sound:([^\]]+)\]", html))
    return found


def data_uri(file: Path) -> str:
    """A media file as a data: URI, for a page that loads nothing from elsewhere."""
    return f"data:{MEDIA_TYPES[file.suffix.lower()]};base64,{base64.b64encode(file.read_bytes()).decode()}"


def inline_images(html: str, uris: dict[str, str]) -> str:
    """Point every <img> in a rendered field at its file's data: URI in `uris`, by media name
    (names are attribute-escaped in the HTML)."""
    return _IMAGE_SRC.sub(lambda match: match[1] + uris.get(unescape(match[2]), match[2]) + match[3], html)


_IMAGE_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")([^"]*)(")', re.IGNORECASE)


class MediaError(ValueError):
    """Why a media reference cannot be packed, in words the author can act on."""


@dataclass
class Media:
    """Every media file the deck references, by the name it will have in Anki."""

    root: Path
    files: dict[str, Path] = field(default_factory=dict)  # packed name -> file
    _folded: dict[str, str] = field(default_factory=dict)  # casefolded name -> packed name
    _references: dict[str, str] = field(default_factory=dict)  # packed name -> its first reference

    def contents(self) -> dict[str, bytes]:
        """Every file's bytes by its name in Anki, read once for hashing and packing alike."""
        return {name: path.read_bytes() for name, path in self.files.items()}

    def reference(self, name: str) -> str:
        """The deck's own path to the file named `name` in Anki; MediaError when the deck has none."""
        if name not in self._references:
            raise MediaError(f"'{name}' is not one of the deck's media files")
        return self._references[name]

    def image(self, reference: str) -> str:
        return self._add(reference, _IMAGE_TYPES, "an image")

    def sound(self, reference: str) -> str:
        return self._add(reference, _SOUND_TYPES, "a sound")

    def template_file(self, reference: str) -> str:
        """A file a note type's templates or CSS use. Its name starts with '_': Anki keeps such a file
        when no note shows it (Check Media deletes other unused files) and so does AnkiWeb's sync."""
        if not anki_name(reference).startswith("_"):
            raise MediaError(f"'{reference}' is used by templates, so its name must start with '_' (Anki deletes "
                             "other files no note shows); rename it, and its uses in the templates")
        return self._add(reference, _TEMPLATE_TYPES, "a picture or font")

    def _add(self, reference: str, allowed: set[str], kind: str) -> str:
        try:
            return self._checked(reference, allowed, kind)
        except (OSError, RuntimeError) as error:  # an unreadable file, a symlink loop, a name too long
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            raise MediaError(f"'{reference}' cannot be read: {reason}") from error

    def _checked(self, reference: str, allowed: set[str], kind: str) -> str:
        if "\x00" in reference:
            raise MediaError(f"'{reference!r}' holds a NUL character; fix the path")
        path = self._resolve(reference)
        suffix = path.suffix.lower()
        if suffix not in allowed:
            raise MediaError(f"'{reference}' is not {kind} file; use one of: {', '.join(sorted(allowed))}")
        status = path.stat()
        if status.st_nlink > 1:  # its other names may be anywhere on the disk: no link leads out
            raise MediaError(f"'{reference}' has more than one hard link, so it may be a file outside the deck's "
                             "folder; copy the file into the deck's folder")
        size = status.st_size
        if size > MAX_MEDIA_BYTES:
            raise MediaError(f"'{reference}' is {_size(size)}, over the {_size(MAX_MEDIA_BYTES)} limit for one file; "
                             "make it smaller")
        if not _content_matches(path, suffix):
            raise MediaError(f"'{reference}' does not contain {suffix[1:].upper()} data; "
                             "check the file or its extension")
        name = anki_name(reference)
        packed = self._folded.setdefault(name.casefold(), name)
        if packed in self.files and self.files[packed] != path:
            raise MediaError(f"'{reference}' and '{self._references[packed]}' would be one file in Anki's media folder "
                             f"('{packed}'); rename one of the files")
        self.files[packed] = path
        self._references.setdefault(packed, reference)
        return packed

    def _resolve(self, reference: str) -> Path:
        pure = PurePosixPath(reference.replace("\\", "/"))
        if pure.is_absolute() or re.match(r"^[a-zA-Z]:", reference):
            raise MediaError(f"'{reference}' is an absolute path; give a path relative to the deck file's folder")
        if ".." in pure.parts:
            raise MediaError(f"'{reference}' leaves the deck file's folder ('..'); keep media beside the deck")
        root = self.root.resolve()
        path = (root / pure).resolve()
        if not path.is_relative_to(root):
            raise MediaError(f"'{reference}' leads outside the deck's folder (through a symbolic link); "
                             "copy the file into the deck's folder instead")
        if not path.exists():
            raise MediaError(f"'{reference}' does not exist (looked in {root})")
        if not path.is_file():
            raise MediaError(f"'{reference}' is not a regular file")
        return path


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count / 1024:.1f} KB"


def anki_name(reference: str) -> str:
    """The file's name as Anki stores it: Unicode NFC, checked against what Anki would change."""
    name = unicodedata.normalize("NFC", PurePosixPath(reference.replace("\\", "/")).name)
    if _FORBIDDEN_IN_NAMES.search(name) or name.endswith((".", " ")):
        raise MediaError(f"file name '{name}' has characters Anki does not allow in media names; rename it")
    if _RESERVED_NAMES.match(name):
        raise MediaError(f"file name '{name}' is reserved on Windows; rename it")
    if len(name.encode()) > MAX_NAME_BYTES:
        raise MediaError(f"file name '{name}' is longer than Anki's {MAX_NAME_BYTES} bytes; shorten it")
    return name


def _content_matches(path: Path, suffix: str) -> bool:
    """Magic numbers: the file is what its extension says (a renamed file fails here)."""
    with path.open("rb") as stream:
        head = stream.read(512)
    if suffix == ".svg":
        text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
        return text.startswith(("<?xml", "<svg", "<!--", "<!DOCTYPE svg")) and b"<svg" in path.read_bytes()
    if suffix == ".mp3":  # an ID3 tag, or straight into an MPEG audio frame
        return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    signatures = {
        ".png": lambda: head.startswith(b"\x89PNG\r\n\x1a\n"),
        ".jpg": lambda: head.startswith(b"\xff\xd8\xff"),
        ".jpeg": lambda: head.startswith(b"\xff\xd8\xff"),
        ".gif": lambda: head.startswith((b"GIF87a", b"GIF89a")),
        ".webp": lambda: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
        ".ogg": lambda: head.startswith(b"OggS"),
        ".m4a": lambda: head[4:8] == b"ftyp",
        ".wav": lambda: head[:4] == b"RIFF" and head[8:12] == b"WAVE",
        ".ttf": lambda: head.startswith((b"\x00\x01\x00\x00", b"true")),
        ".otf": lambda: head.startswith(b"OTTO"),
        ".woff": lambda: head.startswith(b"wOFF"),
        ".woff2": lambda: head.startswith(b"wOF2"),
    }
    return signatures[suffix]()
