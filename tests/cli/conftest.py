import os
import subprocess
import sys
from pathlib import Path

import pytest

INCIDENTS = str(Path(sys.executable).with_name("incidents"))


class Cli:
    """Runs the installed `incidents` command with its own XDG directories."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = os.environ | {
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "USER": "cli-tester",
        }
        self.env = {k: v for k, v in self.env.items() if not k.startswith("INCIDENTS_")}

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([INCIDENTS, *args], env=self.env, capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return Cli(tmp_path_factory.mktemp("home"))
