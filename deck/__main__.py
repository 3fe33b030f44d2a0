from deck.cli import run

run()
