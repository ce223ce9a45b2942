"""A Pygments lexer for specc, registered through Pygments' ``pygments.lexers``
entry point (so ``.. code-block:: specc`` in docutils and Sphinx, and
``pygmentize -l specc``, highlight specc).

The keywords are read from the grammar (grammars/specc.lark), the one home of
the language; the token shapes follow its terminals.
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace


def _keywords() -> tuple[str, ...]:
    from specc.syntax import GRAMMAR

    text = GRAMMAR.read_text(encoding="utf-8")
    text = re.sub(r"(?m)//.*$", "", text)
    return tuple(sorted(set(re.findall(r'"([a-z_]+)"', text)), key=lambda k: (-len(k), k)))


DECLARATIONS = ("document", "qualification", "unit", "group", "requirements")


class SpeccLexer(RegexLexer):
    name = "specc"
    aliases = ["specc"]
    filenames = ["*.specc"]
    mimetypes = ["text/x-specc"]
    url = "https://example.invalid/specc"  # no public home yet

    tokens = {
        "root": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"""', String.Doc, "longstring"),
            (r'"(?:[^"\\\n]|\\.)*"', String.Double),
            (r"({})(\s+)([A-Za-z0-9_][A-Za-z0-9_./\-]*)".format("|".join(DECLARATIONS)), bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (r"(import)\b", Keyword.Namespace),
            (r"at\s+least|at\s+most|exactly", Operator.Word),
            (words(_keywords(), suffix=r"\b"), Keyword),
            (r"\d+\.\d+", Number.Float),  # criterion references like 1.2
            (r"\d+(?:[-/]\d+)*", Number.Integer),
            (r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+", Name.Namespace),
            (r"[A-Za-z_][A-Za-z0-9_]*", Name),
            (r"[{}]", Punctuation),
            (r",", Punctuation),
            (r".", Text),
        ],
        "longstring": [
            (r'"""', String.Doc, "#pop"),
            (r'\\.', String.Escape),
            (r'[^"\\]+', String.Doc),
            (r'"', String.Doc),
        ],
    }
