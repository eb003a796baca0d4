"""Backends: the protocol the UI talks to and its implementations (no Textual)."""
