"""`deck` as installed, and `python -m deck`: the command, in a process of its own."""

import os

# A command has no pydantic plugin to serve, and looking for plugins reads the metadata of every
# installed package when the first model is made: 0.13 s of each command among the test
# environment's 54 packages. PYDANTIC_DISABLE_PLUGINS is pydantic's documented switch; it is set
# here, before deck's models exist, and not on importing deck.cli, which other programs may do.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from deck.cli import run

if __name__ == "__main__":
    run()
