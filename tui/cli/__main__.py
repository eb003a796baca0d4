"""`python -m tui.cli`: the same as the `incidents` command."""

import sys

from . import main

if __name__ == "__main__":  # not on import (tests walk every module of the package)
    sys.exit(main())
