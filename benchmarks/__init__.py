"""Speed and memory of the board against a bare Textual app measured in the same run.

Run with `make bench` (= `python -m benchmarks`); it prints one table. See __main__.py.
"""
