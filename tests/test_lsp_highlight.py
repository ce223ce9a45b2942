"""Syntax highlighting: the Pygments lexer (found through Pygments' entry
point, as docutils and Sphinx find it) and the TextMate grammar for editors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from docutils.core import publish_parts
from pygments import lex
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String

from specc.syntax import GRAMMAR

ROOT = Path(__file__).resolve().parent.parent
TM = ROOT / "editors" / "vscode" / "syntaxes" / "specc.tmLanguage.json"


def grammar_keywords() -> set[str]:
    text = re.sub(r"(?m)//.*$", "", GRAMMAR.read_text(encoding="utf-8"))
    return set(re.findall(r'"([a-z_]+)"', text))


def test_found_through_the_entry_point():
    assert get_lexer_by_name("specc").name == "specc"
    assert get_lexer_for_filename("units/001.specc").name == "specc"


@pytest.mark.parametrize("path", sorted((ROOT / "specs").rglob("*.specc")), ids=lambda p: p.name)
def test_seed_files_lex_without_errors(path):
    tokens = list(lex(path.read_text(encoding="utf-8"), get_lexer_by_name("specc")))
    assert not [v for tok, v in tokens if tok in Error]
    assert "".join(v for _, v in tokens) == path.read_text(encoding="utf-8") + ("" if path.read_text(encoding="utf-8").endswith("\n") else "\n")


def test_tokens_have_the_right_kinds():
    src = 'unit 001 "Title" {\n  # note\n  credits 2\n  outcome 1 knowledge "Know" {\n    criterion 1.1 "state" {\n      demand at least 2 "things"\n    }\n  }\n}\n'
    toks = [(tok, v) for tok, v in lex(src, get_lexer_by_name("specc")) if v.strip()]
    kinds = dict((v, tok) for tok, v in toks)
    assert kinds["unit"] in Keyword and kinds["001"] in Name.Class and kinds['"Title"'] in String
    assert kinds["credits"] in Keyword and kinds["at least"] in Operator.Word
    assert kinds["# note"] in Comment and kinds["1.1"] in Number and kinds["2"] in Number
    assert kinds["knowledge"] in Name  # a value, not a keyword


def test_docutils_highlights_a_specc_code_block():
    rst = ".. code:: specc\n\n   unit 001 \"Title\" {\n     credits 2\n   }\n"
    body = publish_parts(rst, writer="html", settings_overrides={"report_level": 2, "halt_level": 2})["body"]
    assert '<span class="keyword declaration">unit</span>' in body
    assert '<span class="literal string double">&quot;Title&quot;</span>' in body


def test_textmate_grammar_has_the_grammars_keywords():
    tm = json.loads(TM.read_text(encoding="utf-8"))
    pattern = tm["repository"]["keyword"]["match"]
    listed = set(re.search(r"\((.*)\)", pattern).group(1).split("|"))
    assert listed == grammar_keywords()
    for rule in tm["repository"].values():
        for key in ("match", "begin", "end"):
            if key in rule:
                re.compile(rule[key])  # each is a valid regular expression
    assert tm["scopeName"] == "source.specc"
    pkg = json.loads((TM.parent.parent / "package.json").read_text(encoding="utf-8"))
    assert pkg["contributes"]["grammars"][0]["path"] == "./syntaxes/specc.tmLanguage.json"
    assert pkg["contributes"]["languages"][0]["extensions"] == [".specc"]
