"""Patterns that find a term in any letter case, for the free-text paths that cannot fold case.

SQLite's LIKE folds ASCII only, and so do PostgreSQL's ILIKE and `~*` under the C locale. A term
such as `é` becomes `[éÉ]`: every character that case-folds to the same letter, so the database
matches it with plain comparisons (SQLite's GLOB, PostgreSQL's regular expressions, which its
trigram index serves), and needs no function of ours per row. A short term is faster still as
its few case forms, each found with SQLite's instr() (faster than LIKE, which decodes and folds
every character it compares).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from functools import cache
from itertools import islice, product
from math import prod


@cache
def _letters_by_fold() -> dict[str, str]:
    """Each case-folded letter with all the characters that fold to it (built once: ~0.1 s)."""
    found: defaultdict[str, list[str]] = defaultdict(list)
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        folded = ch.casefold()
        if folded != ch or ch.upper() != ch:
            found[folded].append(ch)
    return {folded: "".join(sorted(set(chars) | ({folded} if len(folded) == 1 else set())))
            for folded, chars in found.items()}


def same_letter(ch: str) -> str:
    """`ch` and every other character that case-folds like it: `σ` gives `Σσς`; `1` gives `1`."""
    return _letters_by_fold().get(ch.casefold(), ch) if ch.casefold() != ch or ch.upper() != ch else ch


def case_forms(term: str, limit: int) -> list[str] | None:
    """Every way to write `term` in other cases (`é1` gives `É1`, `é1`); None if more than `limit`."""
    letters = [same_letter(ch) for ch in term]
    if prod(map(len, letters)) > limit:
        return None
    return ["".join(form) for form in islice(product(*letters), limit)]


def glob_contains(term: str) -> str:
    """A SQLite GLOB pattern finding `term` anywhere, in any case (GLOB itself is case-sensitive)."""
    return "*" + "".join(_glob_class(ch) for ch in term) + "*"


def _glob_class(ch: str) -> str:
    letters = same_letter(ch)
    if len(letters) > 1:
        return f"[{letters}]"
    return f"[{ch}]" if ch in "*?[" else ch  # `]` outside a class is itself


def regex_contains(term: str) -> str:
    """A PostgreSQL regular expression for `~*` finding `term` anywhere, in any case.

    `~*` folds ASCII letters itself; other letters get a class. Every other non-alphanumeric
    character is escaped, so nothing in the term is an operator (ARE: backslash + symbol = symbol).
    """
    return "".join(_regex_class(ch) for ch in term)


def _regex_class(ch: str) -> str:
    if ch.isascii():
        return ch if ch.isalnum() else "\\" + ch
    letters = same_letter(ch)
    return f"[{letters}]" if len(letters) > 1 else ch
