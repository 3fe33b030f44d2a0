"""What sits around the compiler to move decks in and out of Anki: import, export, the HTML/Markdown interchange."""
