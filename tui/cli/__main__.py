import sys

from . import main

if __name__ == "__main__":  # imported, not run, by tests that walk every module of tui
    sys.exit(main())
