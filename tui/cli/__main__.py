"""`python -m tui.cli`: the same as the `incidents` command."""

import sys

from . import main

if __name__ == "__main__":  # importing it (walk_packages does) must not run the command
    sys.exit(main())
