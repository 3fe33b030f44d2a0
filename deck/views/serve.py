"""`deck preview --serve`: the preview page served on this machine, checked again on every save.

The page is `deck preview`'s, held in memory and served on 127.0.0.1 only, with two additions: a
banner listing the deck's problems (above the cards of its last valid version) while it has any,
and a few lines of script that listen to /events (server-sent events) and reload the page when
it changed, keeping the filter box's text (in sessionStorage). A watcher (watchfiles) sees the
deck's files and media change under the deck's folder. Nothing else is served: no file is read
by the path of a request, and a request naming another host (DNS rebinding) is refused.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from dataclasses import replace
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from deck import lock, pipeline
from deck.fields import Note
from deck.media import MEDIA_TYPES
from deck.views import preview

LOOPBACK = "127.0.0.1"  # never 0.0.0.0: the deck is the author's until it is built
KEEP_ALIVE = 15.0  # seconds between comments on a quiet event stream, which find closed connections

# Files that may become part of the deck while it is served (a new file in a deck's folder, an
# include or a picture named before it existed), besides those it was read from.
_WATCHED = {".yaml", ".yml", ".lock", *MEDIA_TYPES}
_CSP = "default-src 'none';"  # the page's policy, to which the server adds its event stream
_BARE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP} style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>deck preview</title>
</head>
<body>
</body>
</html>
"""
# A card off screen is laid out only when scrolled to: half the time a reload of a big deck takes.
_LIVE_CSS = """
.flashcard { content-visibility: auto; contain-intrinsic-size: auto 12em; }
#deck-problems { background: #fff1f0; border-bottom: 2px solid #d70015; color: #1d1d1f; padding: 0.8em 1em; }
#deck-problems h2 { font-size: 1.05rem; margin: 0 0 0.5em; color: #a50011; }
#deck-problems pre { margin: 0; white-space: pre-wrap; font: 0.85rem/1.4 ui-monospace, Menlo, monospace; }
"""
_SCRIPT = """
(() => {
  const filter = document.getElementById("filter");
  if (filter) {
    const kept = sessionStorage.getItem("deck-filter");
    if (kept) { filter.value = kept; filter.dispatchEvent(new Event("input")); }
    addEventListener("pagehide", () => sessionStorage.setItem("deck-filter", filter.value));
  }
  new EventSource("/events").onmessage = event => { if (event.data !== VERSION) location.reload(); };
})();
"""


class Rendered:
    """Each note's cards as Anki rendered them, so that a save renders only the notes it changed
    (on a big deck, rendering them all is most of a check's time)."""

    def __init__(self) -> None:
        self._media: dict[str, bytes] = {}  # the media the cards were rendered with: inlined in them
        self._cards: dict[tuple[str, Note, str], list[preview.Shown]] = {}  # (deck name, note, GUID) -> cards

    def __call__(self, checked: pipeline.Checked) -> tuple[str, list[preview.Shown]]:
        """`preview.render_cards`, which it calls on the notes not rendered before (and the description)."""
        assert checked.deck is not None
        media = checked.media.contents()
        if media != self._media:
            self._media, self._cards = media, {}
        keys = [(checked.deck.deck.name, note, guid) for note, guid in zip(checked.notes, checked.guids)]
        new = [index for index, key in enumerate(keys) if key not in self._cards]
        description, shown = preview.render_cards(replace(checked, notes=[checked.notes[index] for index in new],
                                                          guids=[checked.guids[index] for index in new]))
        rendered: dict[str, list[preview.Shown]] = {}
        for card in shown:  # (a note's cards stay in Anki's order: they share a deck)
            rendered.setdefault(card.card_id, []).append(card)
        self._cards = {key: self._cards.get(key) or rendered[key[1].card_id] for key in keys}
        cards = [card for key in keys for card in self._cards[key]]
        cards.sort(key=preview.deck_order)
        return description, cards


class Live:
    """The page as served: the preview of the deck's last valid version, under the problems it has
    now. `version` grows whenever the page changes; pages wait for that in `changed`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.folder = (Path(path) if Path(path).is_dir() else Path(path).parent).resolve()
        self.files: set[Path] = set()  # what the deck was last read from: its files, lock and media
        self.version = 0
        self.document = b""
        self.stopped = False
        self._good: str | None = None
        self._shown = ""
        self._changes = threading.Condition()
        self._checking = threading.Lock()
        self._rendered = Rendered()

    def update(self) -> str:
        """Check the deck again and serve what it shows now. Returns what to tell the author: the
        deck's counts, or its problems. Raises PreviewError when the `anki` package is missing."""
        with self._checking:  # (the first check, at the start, and the watcher's may meet)
            try:
                checked = pipeline.check(self.path)
                if checked.ok:
                    self._good = preview.page(checked, self._rendered)
            except OSError as error:  # a file went away between a save and its check, say
                problems = [f"{error.filename or self.path}: cannot be read: {error.strerror or error}"]
                summary = ""
            else:
                problems = [] if checked.ok else [problem.format() for problem in checked.problems]
                summary = (f"{self.path}: {pipeline.count(len(problems), 'problem')}, shown above the last valid cards"
                           if problems else f"{self.path}: {checked.counts()}")
                self.files = self._files(checked)
            changed = self._show(_shown(self._good, problems, self.path))
        if problems:
            return "\n".join([*problems, summary] if summary else problems)
        return f"{summary}, page updated" if changed else f"{summary}, the page is unchanged"

    def _show(self, shown: str) -> bool:
        """Serve `shown` and tell the open pages, unless they have it already."""
        with self._changes:
            if shown == self._shown:
                return False
            self._shown = shown
            self.version += 1
            page, end, tail = shown.rpartition("</body>")
            script = f'<script>const VERSION = "{self.version}";{_SCRIPT}</script>\n'
            self.document = (page + script + end + tail).encode()
            self._changes.notify_all()
            return True

    def _files(self, checked: pipeline.Checked) -> set[Path]:
        files = [*checked.media.files.values(), *(Path(file) for _, file in checked.document.parts)]
        if not Path(self.path).is_dir():  # (a folder's files are its *.yaml, watched by their suffix)
            main = Path(self.path)
            included = [main.parent / name for name in checked.deck.include] if checked.deck else []
            files += [main, lock.path_for(main), *included]
        return {file.resolve() for file in files}

    def watches(self, change: object, path: str) -> bool:
        """Whether a change of the file at `path` may change the deck (watchfiles' filter)."""
        name = Path(path)
        if any(part.startswith(".") for part in name.relative_to(self.folder).parts):
            return False  # .git, .venv, an editor's .#swap file
        return name in self.files or name.suffix.lower() in _WATCHED

    def changed(self, seen: int) -> int:
        """The version, once it differs from `seen` (or after KEEP_ALIVE seconds, or on `stop`)."""
        with self._changes:
            self._changes.wait_for(lambda: self.version != seen or self.stopped, KEEP_ALIVE)
            return self.version

    def stop(self) -> None:
        with self._changes:
            self.stopped = True
            self._changes.notify_all()


def _shown(good: str | None, problems: list[str], path: str) -> str:
    """The page as shown: the last good preview (or a bare page) with the problems above it."""
    page = good or _BARE
    head, body, rest = page.partition("<body>\n")
    assert body and head.count(_CSP) == 1, "the preview page's head and policy are where the server adds to them"
    head = head.replace(_CSP, f"{_CSP} connect-src 'self';")
    body += f"<style>{_LIVE_CSS}</style>\n"
    if problems:
        below = "the cards below are its last valid version" if good else "no valid version has been seen yet"
        rest = (f'<section id="deck-problems" role="alert">\n'
                f"<h2>{escape(path)} has problems; {below}</h2>\n"
                f"<pre>{escape(chr(10).join(problems))}</pre>\n</section>\n{rest}")
    return head + body + rest


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a page's event stream never ends by itself

    def __init__(self, live: Live, port: int) -> None:
        super().__init__((LOOPBACK, port), _Handler)
        self.live = live
        self.hosts = {f"{LOOPBACK}:{self.server_port}", f"localhost:{self.server_port}"}


class _Handler(BaseHTTPRequestHandler):
    """GET / is the page, GET /events its event stream; anything else is 404."""

    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.headers.get("Host", "").lower() not in self.server.hosts:
            self._send(HTTPStatus.FORBIDDEN, b"this server answers only to 127.0.0.1 and localhost\n")
        elif urlsplit(self.path).path == "/":
            self._send(HTTPStatus.OK, self.server.live.document, "text/html; charset=utf-8")
        elif urlsplit(self.path).path == "/events":
            self._events()
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found: this server has the page (/) and its events alone\n")

    def _send(self, status: HTTPStatus, body: bytes, kind: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(body)
        except ConnectionError:  # the page was closed or reloaded while it loaded
            pass

    def _events(self) -> None:
        """The page's version now, then each new one, until the page or the server goes."""
        live = self.server.live
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        try:
            while not live.stopped:
                version = live.changed(seen)
                self.wfile.write(f"data: {version}\n\n".encode() if version != seen else b": still here\n\n")
                self.wfile.flush()
                seen = version
        except ConnectionError:
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        """Quiet: a request is not news to the author."""


def serve(path: str, port: int, say: Callable[[str], None]) -> None:
    """Serve the preview of the deck at `path` on 127.0.0.1:`port` (0: a free port) until
    interrupted (Ctrl-C), checking it again whenever its files change. `say` tells the author the
    address and the outcome of each check. Raises PreviewError when the `anki` package is missing
    or the port cannot be had, OSError when the deck cannot be read at the start."""
    try:
        import watchfiles  # here: only serving needs it
    except ModuleNotFoundError as error:
        raise preview.PreviewError("deck preview --serve watches the deck with watchfiles, which is not installed; "
                                   "install it with: pip install 'watchfiles>=1.0' (the preview extra of deck)") from error

    live = Live(path)
    try:
        server = _Server(live, port)
    except OSError as error:
        raise preview.PreviewError(f"cannot serve on {LOOPBACK}:{port}: {error.strerror or error}; "
                                   "choose another --port, or leave it out for a free one") from error
    stop = threading.Event()

    def watch() -> None:
        for _ in watchfiles.watch(live.folder, watch_filter=live.watches, stop_event=stop, raise_interrupt=False):
            say(live.update())
            gc.collect()  # the collector is off for the command (see deck.cli.main); the last check is freed

    try:
        with server:
            threading.Thread(target=watch, name="deck-watch", daemon=True).start()  # saves from now on count
            say(live.update())
            say(f"serving the preview at http://{LOOPBACK}:{server.server_port}/ (Ctrl-C stops)")
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        live.stop()
