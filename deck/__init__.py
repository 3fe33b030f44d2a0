"""deck: check flashcards kept in YAML like a compiler checks code, and build Anki packages."""

# The one place the version is written: pyproject.toml reads it from here.
__version__ = "0.1.0"
