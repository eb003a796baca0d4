"""Hostile rule files (issue 9): whatever the YAML, parsing gives rules or one RuleFileError that
names where it went wrong, never another exception, and no control character reaches the screen."""

from __future__ import annotations

import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.domain.test_properties import BOUNDED, HOSTILE_TEXT, no_raw_controls
from tests.domain.test_rules import ISSUE_EXAMPLE
from tui.domain.format import clean
from tui.domain.rules import RuleFileError, parse_rule_file

PIECES = st.sampled_from(["apiVersion: mission-control.flanksource.com/v1\n", "kind: IncidentRule\n",
                          "metadata: {name: ", "spec:\n", "  priority: ", "  checks: [{name: ", "  autoResolve: ",
                          "{timeout: ", "  template: {title: ", "{{ check.name }}", "  responders: {email: [",
                          "---\n", "- ", ": ", "[", "]", "{", "}", '"', "'", "&a ", "*a", "!!python/object ",
                          "\t", "\n", "10m", "-1", "null", "~", "\x00", "\x1b[2J", "[/x]"])
YAML_TEXT = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=25).map("".join)
ISSUE_DOCUMENT = yaml.safe_load(ISSUE_EXAMPLE)
JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(HOSTILE_TEXT, inner, max_size=3),
                       max_leaves=8)
FIELDS = st.sampled_from(["apiVersion", "kind", "metadata", "spec", "priority", "checks", "filter", "template",
                          "responders", "breakOnMatch", "autoResolve", "autoClose", "name", "labels", "status",
                          "title", "severity", "type", "commander_id", "timeout", "email", "to", "subject"])


def mutated(document: object, path: list[str], value: object) -> object:
    """The document with the value at `path` (keys that exist are followed; the first missing is added)."""
    if not path or not isinstance(document, dict):
        return value
    key, rest = path[0], path[1:]
    return {**document, key: mutated(document.get(key), rest, value)}


def said_well(error: RuleFileError) -> bool:
    text = str(error)
    return bool(text) and text.endswith(".") and no_raw_controls(clean(text)) and len(text) < 2000


@BOUNDED
@given(YAML_TEXT)
def test_any_text_is_rules_or_one_sentence(text):
    try:
        parse_rule_file(text, "rules.yaml")
    except RuleFileError as error:
        assert said_well(error)
        assert str(error).startswith("rules.yaml")


@BOUNDED
@given(st.lists(FIELDS, min_size=1, max_size=4), JSONISH)
def test_a_valid_rule_with_any_field_changed_is_a_rule_or_names_its_document(path, value):
    text = yaml.safe_dump(mutated(ISSUE_DOCUMENT, path, value), allow_unicode=True)
    try:
        [document] = parse_rule_file(text, "rules.yaml")
    except RuleFileError as error:
        assert said_well(error)
        assert "rules.yaml" in str(error) and ("document 1" in str(error) or "not valid YAML" in str(error))
    else:
        assert document.spec.template.title
