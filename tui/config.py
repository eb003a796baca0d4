"""Settings: defaults < config file (TOML under the XDG config dir) < INCIDENTS_* environment.

```toml
# ~/.config/incidents/config.toml
db = "postgresql+psycopg://incidents@db.internal/incidents"
name = "Alice Example"          # who "I" am; defaults to the OS user
email = "alice@example.com"
refresh_seconds = 1.0            # how often the board looks for changes made elsewhere; 0: never
theme = "ansi-dark"              # a Textual theme; ansi-dark / ansi-light use the terminal's colours
# api = "https://incidents.example.com"   # a server instead of db (`incidents serve`, Mission Control)
# token = "…"                              # its bearer token; never shown
# ca_bundle = "/etc/ssl/our-ca.pem"        # trust this CA for the server's certificate

[keymap]                         # binding id = keys
"incident.close" = "ctrl+x"
```
"""

from __future__ import annotations

import getpass
import tomllib
from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .domain.messages import sentences
from .domain.models import Identity

APP_NAME = "incidents"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class ConfigError(Exception):
    """The config file or environment holds something we cannot use; the message says what."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INCIDENTS_", extra="forbid")

    db: str = ""
    """SQLAlchemy URL; empty means the user's own SQLite database under the XDG data dir."""
    name: str = ""
    email: str | None = None
    keymap: dict[str, str] = {}
    refresh_seconds: float = Field(default=1.0, ge=0)
    """How often the board asks the store what changed elsewhere (0 turns live updates off)."""
    theme: str = ""
    """A Textual theme's name (checked when the TUI starts); empty: the default theme."""
    api: str = ""
    """URL of an incidents server (`incidents serve`, or Mission Control) to use instead of a database."""
    token: SecretStr | None = None
    """The server's bearer token: masked in every repr and error, unwrapped only to send it."""
    ca_bundle: str = ""
    """A PEM file of CA certificates to verify the server with (default: the system's)."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init arguments; the environment overrides them.
        return env_settings, init_settings

    def database_url(self) -> str:
        return self.db or sqlite_url(data_dir() / "incidents.db")

    def identity(self) -> Identity:
        return Identity(name=self.name or getpass.getuser(), email=self.email or None)


def load_settings(path: Path | None = None) -> Settings:
    """Read settings, turning every problem with the file into one clear ConfigError.

    The default file may be missing; a file named on the command line must exist.
    """
    config_path = path or default_config_path()
    if path is not None and not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        values = tomllib.loads(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
        return Settings(**values)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {config_path} is not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {config_path} is not UTF-8 text") from None
    except ValidationError as error:
        raise ConfigError(f"config file {config_path} or INCIDENTS_* environment: {sentences(error.errors())}") \
            from None
    except OSError as error:
        raise ConfigError(f"cannot read config file {config_path}: {error.strerror}") from None
