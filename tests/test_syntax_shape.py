"""The language's shape has one source, the grammar: the statements the
formatter puts on lines of their own and the keywords that start a top-level
declaration are read from lark's compiled rules, not listed by hand."""

from __future__ import annotations

from pathlib import Path

from lark import Tree

from specc import syntax

SPECS = Path(__file__).resolve().parent.parent / "specs"


def test_statements_are_the_rules_that_stand_inside_braces():
    st = syntax.statements()
    assert {"unit", "criterion", "demand", "item", "row", "import_decl", "different"} <= st
    # clauses inside a line, inlined ?rules and the start rule are not statements
    assert not st & {"demand_by", "reuse_for", "uref", "ident", "text", "version", "start"}
    assert syntax.STATEMENTS == st


def test_statements_start_lines_in_formatted_specs_and_nothing_else_does():
    """specs/ are formatted (``specc fmt --check`` passes on them): every
    node of a statement rule starts its line, every other node does not."""
    seen_in, seen_out = set(), set()
    for f in sorted(SPECS.rglob("*.specc")):
        text = f.read_text(encoding="utf-8")
        lines = text.split("\n")
        tree, errs = syntax.parse(text, str(f))
        assert not errs
        parent = {id(c): n for n in tree.iter_subtrees() for c in n.children if isinstance(c, Tree)}
        for node in tree.iter_subtrees():
            if node.data == "start" or node.meta.empty:
                continue
            starts_line = not lines[node.meta.line - 1][: node.meta.column - 1].strip()
            if node.data == "different" and parent[id(node)].data == "demand":
                continue  # a statement in a requirement's block, a clause of a demand's line
            if node.data in syntax.STATEMENTS:
                assert starts_line, (f, node.data, node.meta.line)
                seen_in.add(node.data)
            else:
                assert not starts_line, (f, node.data, node.meta.line)
                seen_out.add(node.data)
    assert len(seen_in) > 40 and "demand_by" in seen_out


def test_top_level_keywords_are_the_first_keywords_of_declarations():
    pattern = syntax.TOP_LEVEL
    assert pattern is syntax.top_level()
    kws = set(pattern.pattern[2:-3].split("|"))
    assert kws == {"import", "document", "qualification", "group", "unit", "barred", "glossary", "requirements"}
    for kw in kws:  # each one parses as the start of a declaration
        assert kw in syntax.keywords().values()


def test_a_file_with_errors_is_cut_at_top_level_declarations(tmp_path):
    text = 'document d "D" {\n  body demo "Demo"\n}\nunit u1 "A" {\n  credits x\n}\nunit u2 "B" {\n  glh y\n}\n'
    tree, errs = syntax.parse(text, "t.specc")
    assert tree is None and [(d.code, d.span.line) for d in errs] == [("E001", 5), ("E001", 8)]
    assert isinstance(syntax.parse('document d "D" {\n  body demo "Demo"\n}\n', "t.specc")[0], Tree)
