"""Property-based: any text in the filter bar, any draft a form can send, any board row another tool
stored, and any config file either works or gives a sentence; nothing else escapes."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tui.config import ConfigError, load_settings
from tui.domain.format import clean
from tui.domain.grammar import FilterError, format_query, parse_filter
from tui.domain.messages import sentences
from tui.domain.models import IncidentDraft, IncidentEdit, ResponderDraft, read_row

BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FILTER_WORDS = st.sampled_from(["sev:", "status:", "type:", "commander:", "responder:", "config:", "check:",
                                "age:", "sort:", "!", ",", '"', "\\", ":", "-", "<", ">", "@me", "nobody",
                                "critical", "open", "24h", "-age", " ", "\x1b[2J", "\x00", "\u202e", "é"])
FILTER_TEXT = st.lists(st.one_of(FILTER_WORDS, st.text(max_size=8)), max_size=12).map("".join)
HOSTILE_TEXT = st.one_of(st.text(max_size=200), st.sampled_from(
    ["[SEV1] db", "[/x]", "[bold red]x", "\x1b]52;c;SGVsbG8=\x07", "\x9b31m", "a\x00b", "\ud800", " \t\n ",
     "x" * 600]))


def no_raw_controls(text: str) -> bool:
    return not any(unicodedata.category(ch) == "Cc" for ch in text)


@BOUNDED
@given(FILTER_TEXT)
def test_any_filter_text_is_a_query_or_a_sentence_without_control_characters(text):
    try:
        query = parse_filter(text)
    except FilterError as error:
        assert error.message and no_raw_controls(error.message) and no_raw_controls(str(error))
        assert 0 <= error.position <= len(text)
    else:
        assert parse_filter(format_query(query)) == query  # what the bar shows back parses the same


def validated(model, **fields):
    """The draft, or the sentences the form would show."""
    try:
        return model(**fields)
    except ValidationError as error:
        said = sentences(error.errors())
        assert said and no_raw_controls(clean(said))
        return None


@BOUNDED
@given(title=HOSTILE_TEXT, description=HOSTILE_TEXT, severity=HOSTILE_TEXT, kind=HOSTILE_TEXT)
def test_any_incident_form_input_is_a_draft_or_a_sentence(title, description, severity, kind):
    for fields in ({"title": title, "description": description},
                   {"title": title, "severity": severity, "type": kind}):
        draft = validated(IncidentDraft, **fields)
        if draft is not None:
            assert draft.title.strip() == draft.title and 1 <= len(draft.title) <= 500
        validated(IncidentEdit, **fields)


@BOUNDED
@given(kind=st.sampled_from(["person", "team", "external", "nonsense", ""]), external_type=HOSTILE_TEXT,
       key=HOSTILE_TEXT, value=HOSTILE_TEXT)
def test_any_responder_form_input_is_a_draft_or_a_sentence(kind, external_type, key, value):
    validated(ResponderDraft, kind=kind, external_type=external_type, properties={key: value})


ODD_VALUES = st.one_of(st.none(), HOSTILE_TEXT, st.binary(max_size=20), st.integers(), st.floats(),
                       st.sampled_from(["P1", "Blocker", "investigating", "technicalDebt", "2026-13-45", "infinity"]))
ROW_FIELDS = ("id", "incident_id", "title", "severity", "status", "type", "commander", "responders",
              "config_count", "check_count", "created_at", "updated_at")


@BOUNDED
@given(st.dictionaries(st.sampled_from(ROW_FIELDS), ODD_VALUES, max_size=len(ROW_FIELDS)))
def test_any_stored_row_reads_as_a_row_with_its_problems_said(values):
    row = read_row(values)
    for problem in row.problems:
        assert problem.startswith("The ") and problem.endswith(".")
        assert no_raw_controls(clean(problem))


TOML_PIECES = st.sampled_from(['db = "', 'name = ', "email = ", "refresh_seconds = ", "[keymap]\n", '"x" = ',
                               "-1", "1e999", "nan", "true", "[", "]", "{", "}", '"', "'", "\n", "=",
                               "unknown = 1\n", "\x00", "\x1b[2J", "é"])
TOML_TEXT = st.lists(st.one_of(TOML_PIECES, st.text(max_size=6)), max_size=15).map("".join)


@BOUNDED
@given(st.one_of(TOML_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")), st.binary(max_size=60)))
def test_any_config_file_is_settings_or_one_sentence(tmp_path_factory, content):
    config = Path(tmp_path_factory.mktemp("config")) / "config.toml"
    config.write_bytes(content)
    try:
        load_settings(config)
    except ConfigError as error:
        message = str(error)
        assert message.startswith(f"config file {config}") and "Traceback" not in message


def test_a_config_error_for_serve_is_printed_cleaned(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    config = tmp_path / "config.toml"
    config.write_text('name = "\\u001b]0;pwned\\u0007"\nrefresh_seconds = "\\u001b[2J"\n')
    from tui import cli

    assert cli.main(["--config", str(config), "token", "list"]) == 2
    printed = capsys.readouterr().err
    assert "refresh_seconds" in printed and no_raw_controls(printed.rstrip("\n")), printed
