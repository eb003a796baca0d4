"""The config file sets how often the board looks for changes made elsewhere."""

from __future__ import annotations

import re

import pytest

from tui.config import ConfigError, load_settings


def test_refresh_seconds_defaults_to_one_and_is_read_from_the_file(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("")
    assert load_settings(config).refresh_seconds == 1.0
    config.write_text("refresh_seconds = 0   # live updates off\n")
    assert load_settings(config).refresh_seconds == 0


def test_a_negative_refresh_interval_is_refused_by_name(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("refresh_seconds = -1\n")
    with pytest.raises(ConfigError, match=re.escape("The refresh interval (refresh_seconds) must be at least 0 "
                                                    "(-1 given).")):
        load_settings(config)
    config.write_text('refresh_seconds = "often"\n')
    with pytest.raises(ConfigError, match=re.escape("The refresh interval (refresh_seconds) must be a number")):
        load_settings(config)
