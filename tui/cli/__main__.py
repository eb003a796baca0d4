import sys

from . import main

if __name__ == "__main__":  # python -m tui.cli; importing the module (as tests walking tui do) runs nothing
    sys.exit(main())
