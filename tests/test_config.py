"""Settings in layers (file, profile, environment, flags), where each came from, and bad files named by line."""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr

from tui.config import ConfigError, explain_settings, load_settings, masked


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


PROFILES = '''\
db = "postgresql://alice:hunter2@db.internal/incidents"
refresh_seconds = 2

[keymap]
"incident.close" = "ctrl+x"

[profiles.prod]
db = ""
api = "https://incidents.prod.example.com"
read_only = true

[profiles.prod.keymap]
"board.bottom" = "b"

[profiles.lab]
db = "sqlite:///lab.db"
'''


def test_a_profile_lays_its_settings_over_the_files_and_tables_merge(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(PROFILES)
    plain = load_settings(config)
    assert plain.db.startswith("postgresql://") and plain.api == "" and plain.read_only is False
    prod = load_settings(config, profile="prod")
    assert prod.api == "https://incidents.prod.example.com" and prod.db == "" and prod.read_only is True
    assert prod.refresh_seconds == 2  # not in the profile: the file's
    assert prod.keymap == {"incident.close": "ctrl+x", "board.bottom": "b"}


def test_each_setting_says_where_it_came_from(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(PROFILES)
    monkeypatch.setenv("INCIDENTS_REFRESH_SECONDS", "5")
    monkeypatch.setenv("INCIDENTS_PROFILE", "prod")
    explained = explain_settings(config, flags={"read_only": False, "token": None})
    assert explained.profile == "prod"
    origin = explained.origin
    assert str(origin("name")) == "default"
    assert str(origin("api")) == "profile (prod)"
    assert str(origin("refresh_seconds")) == "environment (INCIDENTS_REFRESH_SECONDS)"
    assert str(origin("read_only")) == "flag (--read-only)" and explained.settings.read_only is False
    assert str(origin("keymap.incident.close")) == f"file ({config})"
    assert str(origin("keymap.board.bottom")) == "profile (prod)"
    assert str(origin("token")) == "default"


def test_an_unknown_profile_names_the_ones_there_are(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(PROFILES)
    with pytest.raises(ConfigError, match=re.escape("has no profile 'prd' (a [profiles.prd] table); "
                                                    "profiles there: lab, prod.")):
        load_settings(config, profile="prd")


@pytest.mark.parametrize(("text", "expected"), [
    ("name = 'a'\nrefresh_seconds = -1\n",
     "line 2, refresh_seconds: The refresh interval (refresh_seconds) must be at least 0 (-1 given)."),
    ("[keymap]\n'incident.close' = 'x'\n\"board.top\" = 7\n",
     "line 3, keymap.board.top: The keymap entry board.top must be text (7 given)."),
    (PROFILES + "colour = 'blue'\n", "line 17, profiles.lab.colour: There is no colour setting."),
    ("read_only = 'sometimes'\n",
     "line 1, read_only: The read-only setting (read_only) must be true or false ('sometimes' given)."),
    ("[views]\n\n'Mine' = 'sev:critical'\n'Broken' = 'sev:urgent'\n", "line 1, views: The saved view 'Broken' is not"),
])
def test_a_bad_value_is_named_with_its_line_and_key(tmp_path, text, expected):
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(ConfigError) as refused:
        load_settings(config, profile="lab" if "profiles.lab" in expected else None)
    assert str(refused.value).startswith(f"config file {config} {expected}")


def test_a_toml_mistake_leads_with_its_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("name = 'a'\nbell = yes\n")
    with pytest.raises(ConfigError, match=re.escape(f"config file {config} is not valid TOML at line 2, column 8: "
                                                    "Invalid value.")):
        load_settings(config)


def test_a_bad_environment_value_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENTS_BELL", "loud")
    config = tmp_path / "config.toml"
    config.write_text("")
    with pytest.raises(ConfigError, match=re.escape("(environment INCIDENTS_BELL): The bell setting (bell) must be "
                                                    "true or false ('loud' given).")):
        load_settings(config)


def test_secrets_are_masked():
    assert masked("db", "postgresql://alice:hunter2@db/x") == "postgresql://alice:********@db/x"
    assert masked("api", "https://h.example.com") == "https://h.example.com"
    assert "s3cret" not in masked("token", SecretStr("s3cret"))
    assert masked("read_only", True) == "true" and masked("email", None) == "(not set)"


def test_the_frontend_url_is_a_web_address_kept_without_its_last_slash(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('frontend_url = "https://mc.example.com/"\n')
    assert load_settings(config).frontend_url == "https://mc.example.com"
    monkeypatch.setenv("INCIDENTS_FRONTEND_URL", "mc.example.com")
    with pytest.raises(ConfigError, match=re.escape("The web UI URL (frontend_url) is an http:// or https:// address")):
        load_settings(config)
