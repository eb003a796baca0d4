"""Settings, in layers: defaults < config file < its profile < INCIDENTS_* environment < flags.

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
read_only = false                # true: a wall screen; no key changes anything
bell = false                     # ring the terminal bell when a new Critical or High incident arrives
# frontend_url = "https://mc.example.com"  # Mission Control's web UI: y/Y copy, b opens an incident's page

[keymap]                         # binding id = keys
"incident.close" = "ctrl+x"

[views]                          # saved views, recalled with 1, 2, … in this order
"Critical now" = "sev:critical status:active sort:-age"

[profiles.prod]                  # incidents -p prod: these settings over the ones above
api = "https://incidents.prod.example.com"
read_only = true
```

`load_settings` returns the effective `Settings`; `explain_settings` also says where each value came
from (`incidents config`). A problem with the file is one `ConfigError` naming the file, the line
and the key.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from .domain.grammar import FilterError, parse_filter
from .domain.messages import sentence
from .domain.models import Identity

APP_NAME = "incidents"
ENV_PREFIX = "INCIDENTS_"
PROFILE_ENV = ENV_PREFIX + "PROFILE"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class ConfigError(Exception):
    """The config file or environment holds something we cannot use; the message says what."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

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
    read_only: bool = False
    """A wall screen or a viewer: no key changes anything."""
    bell: bool = False
    """Ring the terminal bell when a new Critical or High incident arrives on the live board."""
    views: dict[str, str] = {}
    """Saved views by name: filter text (with its sort), recalled with 1, 2, … in this order."""
    profiles: dict[str, dict[str, Any]] = {}
    """Named sets of settings over the others (`incidents -p NAME`); only the chosen one applies."""
    frontend_url: str = ""
    """Mission Control's web UI, for an incident's link (`<frontend_url>/incidents/<uuid>`); empty: none."""

    @field_validator("frontend_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://[^\s/]+\S*", value):
            raise ValueError("the web UI URL (frontend_url) is an http:// or https:// address, such as "
                             "https://mission-control.example.com")
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        # `explain_settings` puts the layers together (and remembers where each value came from).
        return (init_settings,)

    @field_validator("views")
    @classmethod
    def _views_are_filters(cls, views: dict[str, str]) -> dict[str, str]:
        for name, text in views.items():
            try:
                parse_filter(text)
            except FilterError as error:
                raise ValueError(f"the saved view {name!r} is not a filter: {error}") from None
        return views

    def database_url(self) -> str:
        return self.db or sqlite_url(data_dir() / "incidents.db")

    def identity(self) -> Identity:
        return Identity(name=self.name or getpass.getuser(), email=self.email or None)


LAYERED = tuple(name for name in Settings.model_fields if name != "profiles")
"""What a profile, the environment or a flag may set."""
TABLES = frozenset(name for name in LAYERED if Settings.model_fields[name].annotation in (dict[str, str],))
"""Settings that are tables: each layer adds or replaces entries rather than the whole table."""


@dataclass(frozen=True)
class Origin:
    """Where a setting's value came from: a default, the file, a profile, the environment or a flag."""

    kind: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.kind} ({self.where})" if self.where else self.kind


DEFAULT = Origin("default")


@dataclass
class Explained:
    settings: Settings
    path: Path
    """The config file read (it may not exist: then every value is a default or came from elsewhere)."""
    profile: str | None
    origins: dict[str, Origin] = field(default_factory=dict)
    """By setting name, and `keymap.<id>` / `views.<name>` for each table entry."""

    def origin(self, key: str) -> Origin:
        return self.origins.get(key, DEFAULT)


def load_settings(path: Path | None = None, *, profile: str | None = None,
                  flags: Mapping[str, Any] | None = None) -> Settings:
    return explain_settings(path, profile=profile, flags=flags).settings


def explain_settings(path: Path | None = None, *, profile: str | None = None,
                     flags: Mapping[str, Any] | None = None) -> Explained:
    """Read the settings, turning every problem into one clear ConfigError.

    The default file may be missing; a file named on the command line must exist. `profile` (or
    INCIDENTS_PROFILE) chooses a `[profiles.NAME]` table; `flags` are the command line's values.
    """
    config_path = path or default_config_path()
    if path is not None and not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    text = _read(config_path)
    values = _parse(config_path, text)
    profile = profile or os.environ.get(PROFILE_ENV) or None
    layers = [(Origin("file", str(config_path)), {k: v for k, v in values.items() if k != "profiles"}),
              (Origin("profile", profile or ""), _profile(config_path, values, profile)),
              (Origin("environment"), _environment()),
              (Origin("flag"), {k: v for k, v in (flags or {}).items() if v is not None})]
    merged, origins = _merge(layers)
    if "profiles" in values:
        merged["profiles"] = values["profiles"]
    try:
        settings = Settings(**merged)
    except ValidationError as error:
        raise ConfigError(_problems(config_path, text, error, origins)) from None
    return Explained(settings, config_path, profile, origins)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else ""
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib ends its message with "(at line 3, column 7)": lead with the place instead.
        found = re.search(r"\s*\(at (line \d+, column \d+)\)$", str(error))
        if found is None:
            raise ConfigError(f"config file {path} is not valid TOML: {error}") from None
        reason = str(error)[:found.start()]
        raise ConfigError(f"config file {path} is not valid TOML at {found[1]}: {reason}.") from None


def _profile(path: Path, values: Mapping[str, Any], name: str | None) -> dict[str, Any]:
    if name is None:
        return {}
    profiles = values.get("profiles")
    chosen = profiles.get(name) if isinstance(profiles, dict) else None
    if chosen is not None and not isinstance(chosen, dict):
        raise ConfigError(f"config file {path} line {line_of(_read(path), ('profiles', name))}: profile {name!r} "
                          f"must be a table ([profiles.{name}]).")
    if chosen is None:
        known = ", ".join(sorted(profiles)) if isinstance(profiles, dict) and profiles else "none"
        raise ConfigError(f"config file {path} has no profile {name!r} (a [profiles.{name}] table); "
                          f"profiles there: {known}.")
    if "profiles" in chosen:
        raise ConfigError(f"config file {path}: profile {name!r} cannot hold profiles of its own.")
    return chosen


def _environment() -> dict[str, Any]:
    """INCIDENTS_* variables, read by pydantic-settings (tables as JSON: INCIDENTS_KEYMAP='{…}')."""
    try:
        found = EnvSettingsSource(Settings)()
    except Exception as error:  # noqa: BLE001 - pydantic-settings' SettingsError: JSON that is not JSON
        raise ConfigError(f"config file or INCIDENTS_* environment: {error}") from None
    return {name: value for name, value in found.items() if name in LAYERED}


def _merge(layers: list[tuple[Origin, dict[str, Any]]]) -> tuple[dict[str, Any], dict[str, Origin]]:
    merged: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for origin, values in layers:
        for name, value in values.items():
            where = _where(origin, name)
            if name in TABLES and isinstance(value, dict) and isinstance(merged.get(name, {}), dict):
                merged[name] = {**merged.get(name, {}), **value}
                origins |= {f"{name}.{key}": where for key in value}
                origins.setdefault(name, where)
            else:
                merged[name] = value
                origins[name] = where
    return merged, origins


def _where(origin: Origin, name: str) -> Origin:
    if origin.kind == "environment":
        return Origin("environment", ENV_PREFIX + name.upper())
    if origin.kind == "flag":
        return Origin("flag", "--" + name.replace("_", "-"))
    return origin


def _problems(path: Path, text: str, error: ValidationError, origins: Mapping[str, Origin]) -> str:
    """Each problem as a sentence, with where the value was set: the file's line, or the variable."""
    told = []
    for problem in error.errors():
        loc = tuple(str(part) for part in problem.get("loc", ()))
        origin = origins.get(".".join(loc[:2])) or origins.get(loc[0] if loc else "", DEFAULT)
        told.append(f"{_place(origin, loc, text)}: {sentence(problem)}")
    return f"config file {path}: " + " ".join(told) if len(told) > 1 else f"config file {path} {told[0]}"


def _place(origin: Origin, loc: tuple[str, ...], text: str) -> str:
    if origin.kind in ("environment", "flag"):
        return f"({origin.kind} {origin.where})"
    path = ("profiles", origin.where, *loc) if origin.kind == "profile" else loc
    line = line_of(text, path)
    key = ".".join(path)
    return f"line {line}, {key}" if line is not None else key


_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGNMENT = re.compile(rf"^\s*({_DOTTED})\s*=")


def _key_parts(dotted: str) -> tuple[str, ...]:
    parts = []
    for part in re.findall(_KEY, dotted):
        if part.startswith('"'):
            try:
                part = json.loads(part)
            except ValueError:  # a TOML escape JSON lacks (\e, \U…): near enough to find its line
                part = part[1:-1]
        parts.append(part.strip("'") if part.startswith("'") else part)
    return tuple(parts)


def line_of(text: str, path: tuple[str, ...]) -> int | None:
    """The line of a TOML document that sets `path` (`("profiles", "prod", "api")`), or the table or
    key nearest to it. tomllib gives no positions, so the lines are read again for this one purpose."""
    table: tuple[str, ...] = ()
    best: tuple[int, int] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if header := _HEADER.match(line):
            table = here = _key_parts(header[1])
        elif assignment := _ASSIGNMENT.match(line):
            here = table + _key_parts(assignment[1])
        else:
            continue
        if here == path[:len(here)] and (best is None or len(here) > best[0]):
            best = (len(here), number)
    return best[1] if best else None


def masked(name: str, value: Any) -> str:
    """A setting's value for the screen: secrets (the token, a password in a URL) never shown."""
    if value is None or value == "":
        return "(not set)"
    if isinstance(value, SecretStr):
        return "******** (set, not shown)"
    if name in ("db", "api") and isinstance(value, str):
        return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1********@", value, count=1)
    return str(value).lower() if isinstance(value, bool) else str(value)
