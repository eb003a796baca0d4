"""The incident domain: models, lenient enums, the lifecycle and the filter grammar (no I/O)."""
