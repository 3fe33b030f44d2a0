"""Ways to look at a deck without Anki: the preview page."""
