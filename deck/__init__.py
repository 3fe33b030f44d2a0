"""deck: check flashcards kept in YAML like a compiler checks code, and build Anki packages."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("deck")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
