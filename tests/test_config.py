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


def test_a_server_and_its_token_come_from_the_file_and_the_environment_wins(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('api = "https://incidents.example.com"\ntoken = "file-secret-1234"\nca_bundle = "/etc/ca.pem"\n')
    settings = load_settings(config)
    assert settings.api == "https://incidents.example.com" and settings.ca_bundle == "/etc/ca.pem"
    assert settings.token is not None and settings.token.get_secret_value() == "file-secret-1234"
    assert "file-secret-1234" not in repr(settings) and "file-secret-1234" not in str(settings)
    monkeypatch.setenv("INCIDENTS_TOKEN", "env-secret-5678")
    monkeypatch.setenv("INCIDENTS_API", "http://127.0.0.1:9")
    settings = load_settings(config)
    assert settings.api == "http://127.0.0.1:9" and settings.token.get_secret_value() == "env-secret-5678"


def test_a_token_that_is_not_text_is_refused_without_quoting_it(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("token = 918273645\n")
    with pytest.raises(ConfigError) as refused:
        load_settings(config)
    assert "The token is not valid (its value is not shown)." in str(refused.value)
    assert "918273645" not in str(refused.value)


def test_the_frontend_url_is_a_web_address_kept_without_its_last_slash(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('frontend_url = "https://mc.example.com/"\n')
    assert load_settings(config).frontend_url == "https://mc.example.com"
    monkeypatch.setenv("INCIDENTS_FRONTEND_URL", "mc.example.com")
    with pytest.raises(ConfigError, match=re.escape("The web UI URL (frontend_url) is an http:// or https:// address")):
        load_settings(config)
