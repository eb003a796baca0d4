"""`pip install .` (not editable) must ship the styles and the migrations."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_styles_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path), str(ROOT)],
        check=True, capture_output=True)
    (wheel,) = tmp_path.glob("incident_tui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "tui/styles/app.tcss" in names
    assert any(name.startswith("tui/store/sql/migrations/versions/") for name in names)
    assert "tui/store/sql/migrations/env.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "incidents = tui.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
