"""`python eval/run_eval.py [options]` is `python -m assistant eval [options]`."""

from __future__ import annotations

import sys

from assistant.cli import main

if __name__ == "__main__":
    sys.exit(main(["eval", *sys.argv[1:]]))
