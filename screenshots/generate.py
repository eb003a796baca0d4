"""Regenerate the README's screenshots from the demo data: `make screenshots`.

The demo database is seeded at a fixed time and the clock is held there, so the images
change only when the UI does.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for the tests' wait-until-idle helper

from tests.conftest import FIXED_NOW, TESTER  # noqa: E402
from tests.ui.conftest import wait_until_idle  # noqa: E402
from tui.app import IncidentApp  # noqa: E402
from tui.domain import clock  # noqa: E402
from tui.store.sql import open_sql_backend, seed_demo  # noqa: E402

SHOTS = {
    # file name: (terminal size, keys pressed after the board has loaded[, environment])
    "board-160x48": ((160, 48), ()),
    "board-80x24": ((80, 24), ()),
    "detail-80x24": ((80, 24), ("j", "enter")),
    "filter-160x48": ((160, 48), ("slash", *"sev:critical,high status:open", "enter")),
    "metrics-80x24": ((80, 24), ("M",)),
    "no-color-80x24": ((80, 24), ("j", "tab"), {"NO_COLOR": "1"}),
    "checks-160x48": ((160, 48), ("H", "slash", *"status:unhealthy", "enter")),
}


async def shoot(url: str, name: str, size: tuple[int, int], keys: tuple[str, ...], out: Path,
                env: dict[str, str] | None = None) -> None:
    backend = open_sql_backend(url, TESTER)
    os.environ.update(env or {})  # read when the app is made (NO_COLOR)
    app = IncidentApp(backend)
    for variable in env or {}:
        del os.environ[variable]
    try:
        async with app.run_test(size=size) as pilot:
            await wait_until_idle(pilot)
            for key in keys:
                await pilot.press(key)
            await wait_until_idle(pilot)
            app.save_screenshot(filename=f"{name}.svg", path=str(out))
    finally:
        backend.close()


def main(out: Path) -> None:
    clock.freeze(FIXED_NOW)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        seeder = open_sql_backend(url, TESTER)
        seed_demo(seeder, now=FIXED_NOW)
        seeder.close()
        for name, (size, keys, *env) in SHOTS.items():
            asyncio.run(shoot(url, name, size, keys, out, *env))
            print(f"wrote {out / name}.svg")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "screenshots"))
