"""What one source file names and where: the language server's symbol index.

Built from the parse tree (lark keeps every token's line and column), so it
has the span of each name itself, not only of the declaration around it.
Each :class:`Occurrence` is a definition or a reference of a name of some
kind; references are resolved against definitions by :mod:`.project`, which
knows the imports (and their aliases) of each spec.
"""

from __future__ import annotations

from attrs import frozen
from lark import Token, Tree

from specc.ir import Span
from specc.lower import command_verb
from specc.syntax import parse, span_of, unquote

# kinds of name
UNIT = "unit"  # a unit (in rules and groups: a unit or a group)
GROUP = "group"
QUALIFICATION = "qualification"
RSET = "requirements"
DOCUMENT = "document"
METHOD = "method"
VERB = "verb"
OUTCOME = "outcome"
CRITERION = "criterion"
FILE = "file"


@frozen
class Occurrence:
    kind: str
    name: str  # as written (a criterion's ref, a unit id, alias.id, an import's path)
    span: Span
    is_def: bool = False
    unit: str | None = None  # criteria and outcomes: the unit (as written) they belong to
    group_ok: bool = False  # a reference in a rule or group: a unit or a group


@frozen
class Outline:
    """A document symbol: units > outcomes > criteria (and the other declarations)."""

    kind: str
    name: str
    detail: str
    span: Span  # the whole declaration
    name_span: Span  # its id
    children: tuple[Outline, ...] = ()


@frozen
class Import:
    path: str
    alias: str | None
    span: Span


@frozen
class FileIndex:
    file: str
    occurrences: tuple[Occurrence, ...]
    imports: tuple[Import, ...]
    outline: tuple[Outline, ...]
    ok: bool  # False: the file has syntax errors (this index may be from an older text)

    def at(self, line: int, col: int) -> Occurrence | None:
        """The occurrence under a 1-based line and column (the end is included,
        so a cursor just after a name still finds it)."""
        for o in self.occurrences:
            s = o.span
            if (s.line, s.col) <= (line, col) <= (s.end_line, s.end_col):
                return o
        return None


def _tokens(tree: Tree) -> list[Token]:
    return [c for c in tree.children if isinstance(c, Token)]


def build(text: str, file: str) -> FileIndex:
    tree, _ = parse(text, file)
    if tree is None:
        return FileIndex(file, (), (), (), False)
    occ: list[Occurrence] = []
    imports: list[Import] = []

    def sp(tok) -> Span:
        return span_of(tok, file)

    def add(kind, tok, is_def=False, unit=None, group_ok=False):
        name = unquote(str(tok)) if tok.type == "STRING" else str(tok)
        if kind == VERB:
            name = (name.split()[0].strip("(") if name.split() else "").lower()
        occ.append(Occurrence(kind, name, sp(tok), is_def, unit, group_ok))

    knowledge: list[bool] = []  # is the enclosing outcome a knowledge outcome

    def implicit_verb(statement: Token) -> None:
        """A knowledge criterion's command verb is the first word of its text
        (checked against the glossary, W060): a reference to that verb."""
        raw = str(statement)
        verb = command_verb(unquote(raw))
        at = raw.lower().find(verb) if verb else -1
        if at < 0 or "\n" in raw[:at]:
            return
        line, col = statement.line, statement.column + at
        occ.append(Occurrence(VERB, verb, Span(file, line, col, line, col + len(verb))))

    def title(t: Tree) -> str:
        toks = _tokens(t)
        return unquote(str(toks[1])) if len(toks) > 1 and toks[1].type == "STRING" else ""

    def walk(t: Tree, unit: str | None, in_req: bool = False) -> list[Outline]:
        r = t.data
        toks = _tokens(t)
        out: list[Outline] = []
        if r in ("unit", "group", "qualification", "requirements", "document"):
            kind = {"unit": UNIT, "group": GROUP, "qualification": QUALIFICATION, "requirements": RSET, "document": DOCUMENT}[r]
            ident = toks[0]
            add(kind, ident, True)
            if r == "unit":
                unit = str(ident)
            if r == "group":
                for x in toks[2:]:
                    add(UNIT, x)
            kids = [o for c in t.children if isinstance(c, Tree) for o in walk(c, unit)]
            return [Outline(kind, str(ident), title(t), span_of(t.meta, file), sp(ident), tuple(kids))]
        if r == "outcome":
            add(OUTCOME, toks[0], True, unit)
            knowledge.append(str(toks[1]) == "knowledge")
            kids = [o for c in t.children if isinstance(c, Tree) for o in walk(c, unit)]
            knowledge.pop()
            return [Outline(OUTCOME, f"outcome {toks[0]}", unquote(str(toks[2])), span_of(t.meta, file), sp(toks[0]), tuple(kids))]
        if r == "criterion":
            add(CRITERION, toks[0], True, unit)
            explicit = any(isinstance(c, Tree) and c.data == "verb_stmt" for c in t.children)
            if knowledge and knowledge[-1] and not explicit:
                implicit_verb(toks[1])
            for c in t.children:
                if isinstance(c, Tree):
                    walk(c, unit)
            return [Outline(CRITERION, str(toks[0]), unquote(str(toks[1])), span_of(t.meta, file), sp(toks[0]))]
        if r == "import_decl":
            add(FILE, toks[0])
            imports.append(Import(unquote(str(toks[0])), str(toks[1]) if len(toks) > 1 else None, sp(toks[0])))
        elif r == "mandatory":
            for x in toks:
                add(UNIT, x, group_ok=True)
        elif r == "remaining":
            # `remaining [at least] N credits from ...`: the figure is no unit
            refs = [x for x in toks if x.type != "QUANT"]
            if refs and "credits" in text[refs[0].end_pos : refs[1].start_pos if len(refs) > 1 else len(text)].split("from", 1)[0]:
                refs = refs[1:]
            for x in refs:
                add(UNIT, x, group_ok=True)
        elif r == "reuse_units":
            for x in toks:
                if x.type not in ("STRING", "LONG_STRING"):
                    add(UNIT, x)
        elif r == "see":
            target = unit
            for x in toks:
                if x.type in ("STRING", "LONG_STRING"):
                    continue
                if x.type != "REF":
                    add(UNIT, x)
                    target = str(x)
                else:
                    add(CRITERION, x, unit=target)
        elif r == "credits_from":
            for x in toks[2:]:
                add(UNIT, x, group_ok=True)
        elif r == "barred":
            for x in toks[:2]:
                add(UNIT, x)
        elif r == "assessed_under":
            for x in toks:
                add(RSET, x)
        elif r == "reuse":
            target = unit
            for x in toks:
                if x.type in ("STRING", "LONG_STRING"):
                    continue
                if x.type != "REF":
                    add(UNIT, x)
                    target = str(x)
                else:
                    add(CRITERION, x, unit=target)
        elif r in ("reuse_for", "guidance"):
            for x in toks:
                if x.type == "REF":
                    add(CRITERION, x, unit=unit)
        elif r == "row":
            for x in toks:
                if x.type == "REF":
                    add(CRITERION, x, unit=unit)
                elif x.type == "NUMBER":
                    add(OUTCOME, x, unit=unit)
        elif r == "methods" and not in_req:
            for x in toks:
                add(METHOD, x)
        elif r == "demand_by":
            for x in toks:
                if x.type == "NAME":
                    add(METHOD, x)
        elif r == "methods_decl":
            add(METHOD, toks[0], True)
        elif r == "verb_stmt":
            add(VERB, toks[0])
        elif r == "verb":
            add(VERB, toks[0], True)
        # ``methods`` inside a CfA ``requirement`` names communication methods,
        # not evidence methods
        in_req = in_req or r == "requirement"
        for c in t.children:
            if isinstance(c, Tree):
                out.extend(walk(c, unit, in_req))
        return out

    outline = walk(tree, None)
    return FileIndex(file, tuple(occ), tuple(imports), tuple(outline), True)

