"""incident-tui: a keyboard-driven terminal client for Mission Control incidents."""

__version__ = "0.1.0"
