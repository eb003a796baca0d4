"""incident-tui: a keyboard-driven terminal client for Mission Control incidents."""

from importlib import metadata

__version__ = metadata.version("incident-tui")
"""As installed (pyproject.toml is the one place it is written)."""
