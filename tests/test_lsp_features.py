"""Completion in-process: what the grammar accepts at the cursor, and the
spec's names where the context asks for one (the server's tests drive the
same code over stdio)."""

from __future__ import annotations

from specc_plugins.lsp.features import completions

NAMES = {"unit": ["001", "002"], "group": ["g1"], "requirements": ["cfa.calls"], "method": ["observation"], "verb": ["state"]}


def labels(text: str) -> set[str]:
    lines = text.split("\n")
    return {label for label, _, _ in completions(text, len(lines), len(lines[-1]) + 1, NAMES)}


def test_top_level_keywords_at_the_start_of_a_file():
    assert labels("") >= {"import", "document", "qualification", "unit", "group", "barred", "glossary", "requirements"}
    assert "criterion" not in labels("")


def test_inside_an_outcome_only_criteria():
    got = labels('unit 1 "U" {\n  outcome 1 knowledge "K" {\n    ')
    assert got == {"criterion", "listed"}  # `listed`: the outcome's title in the unit's list, first in the block


def test_values_where_the_grammar_takes_a_name():
    assert {"allowed", "forbidden", "exceptional"} <= labels('unit 1 "U" {\n  simulation ')
    assert {"performance", "knowledge"} <= labels('unit 1 "U" {\n  simulation allowed for ')
    assert {"workplace", "rwe", "placement"} <= labels('unit 1 "U" {\n  evidence from workplace, ')
    assert labels('unit 1 "U" {\n  assessed under cf') >= {"cfa.calls"}
    assert labels('group g2 "G" {\n  001 ') == {"001", "002"}
    assert labels('barred 001 with ') >= {"001", "002"}
    assert "g1" in labels('qualification q "Q" {\n  rules {\n    at least 2 credits from ')


def test_an_error_earlier_in_the_file_does_not_stop_completion():
    text = 'unit 1 "U" {\n  credits two\n}\n\nunit 2 "V" {\n  '
    assert {"outcome", "credits", "glh"} <= labels(text)
