"""The layers stay apart: import-linter's contracts, and a plain check that the core never imports Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ("tui/domain", "tui/store", "tui/server")


def test_import_linter_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def imported_modules(source: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), str(source))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_the_core_never_imports_textual():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for package in CORE
        for path in sorted((ROOT / package).rglob("*.py"))
        for module in sorted(imported_modules(path))
        if module == "textual" or module.startswith("textual.")
    ]
    assert offenders == []


def test_the_textual_check_sees_imports(tmp_path):
    """Guards the check above: it must notice both import forms, even inside functions."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import textual.app\n    from textual.widgets import Static\n")
    assert imported_modules(module) == {"textual.app", "textual.widgets"}
