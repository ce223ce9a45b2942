"""`specc lsp` driven over stdio by pygls' own language client, as an editor
would: open buffers (never saved), edit them, ask for hover, definitions,
references, completion, symbols, formatting and rename."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types as t
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from specc.fmt import format_text

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
TIMEOUT = 60


class Editor:
    """A pygls client running `python -m specc lsp` in a fresh process."""

    def __init__(self, folder: Path, cache: Path):
        self.folder = folder
        self.client = LanguageClient("specc-tests", "1")
        self.diags: dict[str, list[t.Diagnostic]] = {}
        self.changed = asyncio.Event()
        self.versions: dict[str, int] = {}

        @self.client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _diags(params: t.PublishDiagnosticsParams) -> None:
            self.diags[params.uri] = list(params.diagnostics)
            self.changed.set()

        self.env = dict(os.environ, SPECC_CACHE_DIR=str(cache))

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "specc", "lsp", cwd=str(self.folder), env=self.env)
        uri = from_fs_path(str(self.folder))
        await self.client.initialize_async(
            t.InitializeParams(
                capabilities=t.ClientCapabilities(),
                root_uri=uri,
                workspace_folders=[t.WorkspaceFolder(uri=uri, name="specs")],
                initialization_options={"debounce": 0.05},
            )
        )
        self.client.initialized(t.InitializedParams())

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    def uri(self, rel: str) -> str:
        return from_fs_path(str(self.folder / rel))

    def open(self, rel: str, text: str | None = None) -> str:
        uri = self.uri(rel)
        text = (self.folder / rel).read_text(encoding="utf-8") if text is None else text
        self.versions[uri] = 1
        self.client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(uri=uri, language_id="specc", version=1, text=text)))
        return uri

    def replace(self, uri: str, text: str) -> None:
        """Replace the whole buffer (not saved to disk)."""
        self.versions[uri] += 1
        self.client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                t.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                [t.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def diagnostics(self, uri: str, pred) -> list[t.Diagnostic]:
        """Wait until the diagnostics published for ``uri`` satisfy ``pred``."""

        async def wait():
            while not (uri in self.diags and pred(self.diags[uri])):
                self.changed.clear()
                await self.changed.wait()
            return self.diags[uri]

        return await asyncio.wait_for(wait(), TIMEOUT)

    def pos(self, uri: str, rel: str, needle: str, line_hint: int | None = None, offset: int = 0) -> t.TextDocumentPositionParams:
        """The position of ``needle`` in the file (first occurrence, or on line ``line_hint``)."""
        lines = (self.folder / rel).read_text(encoding="utf-8").split("\n")
        for i, line in enumerate(lines):
            if line_hint is not None and i + 1 != line_hint:
                continue
            c = line.find(needle)
            if c >= 0:
                return t.TextDocumentIdentifier(uri=uri), t.Position(i, c + offset)
        raise AssertionError(f"{needle!r} not in {rel}")


@pytest.fixture(scope="module")
def loop():
    lp = asyncio.new_event_loop()
    yield lp
    lp.close()


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("lsp")
    shutil.copytree(SPECS, base / "specs", ignore=shutil.ignore_patterns("*.md"))
    return base / "specs"


@pytest.fixture(scope="module")
def editor(loop, work, tmp_path_factory):
    ed = Editor(work, tmp_path_factory.mktemp("cache"))
    loop.run_until_complete(ed.start())
    yield ed
    loop.run_until_complete(ed.stop())


def check_json(folder: Path, *paths: str) -> list[dict]:
    r = subprocess.run(
        [sys.executable, "-m", "specc", "check", "--format", "json", *paths], cwd=folder, capture_output=True, text=True, check=False
    )
    return json.loads(r.stdout)


def test_part_file_diagnostics_match_check(loop, editor, work):
    """A unit file opened alone is checked in the context of its spec: no
    E007, and the same codes, spans and help as `specc check` of that file."""
    uri = editor.open("cityandguilds/units/001.specc")
    got = loop.run_until_complete(editor.diagnostics(uri, lambda ds: len(ds) > 0))
    expected = check_json(work, "cityandguilds/units/001.specc")
    assert expected and all(d["file"].endswith("001.specc") for d in expected)
    assert "E007" not in {d.code for d in got}
    assert sorted((d.code, d.range.start.line + 1, d.range.start.character + 1, d.range.end.character + 1) for d in got) == sorted(
        (d["code"], d["line"], d["column"], d["end_column"]) for d in expected
    )
    for d in got:
        want = next(e for e in expected if e["code"] == d.code and e["line"] == d.range.start.line + 1)
        assert d.message.startswith(want["message"])
        assert f"help: {want['help']}" in d.message
        assert d.severity == t.DiagnosticSeverity.Warning and d.source == "specc"


def test_diagnostic_appears_and_clears_as_the_author_types(loop, editor, work):
    rel = "cityandguilds/units/002.specc"
    text = (work / rel).read_text(encoding="utf-8")
    uri = editor.open(rel, text)
    loop.run_until_complete(editor.diagnostics(uri, lambda ds: True))
    broken = text.replace("  credits ", "  credits 1.5 # was ", 1)
    editor.replace(uri, broken)
    ds = loop.run_until_complete(editor.diagnostics(uri, lambda ds: any(d.code == "E002" for d in ds)))
    e = next(d for d in ds if d.code == "E002")
    assert "whole number" in e.message and e.severity == t.DiagnosticSeverity.Error
    line = broken.split("\n")[e.range.start.line]
    assert line[e.range.start.character : e.range.end.character] == "1.5"
    assert (work / rel).read_text(encoding="utf-8") == text  # the buffer, not the disk, was checked
    editor.replace(uri, text)
    loop.run_until_complete(editor.diagnostics(uri, lambda ds: not any(d.code == "E002" for d in ds)))


def test_an_edit_in_a_part_reports_in_the_root(loop, editor, work):
    """Renaming a unit in its file (unsaved) makes the root's rule that names
    it fail: the error is published for the root file."""
    rel = "cityandguilds/units/009.specc"
    text = (work / rel).read_text(encoding="utf-8")
    uri = editor.open(rel, text)
    root = editor.uri("cityandguilds/4411.specc")
    editor.replace(uri, text.replace("unit 009 ", "unit 0090 ", 1))
    ds = loop.run_until_complete(editor.diagnostics(root, lambda ds: any(d.code == "E011" for d in ds)))
    assert any("009" in d.message for d in ds if d.code == "E011")
    editor.replace(uri, text)
    loop.run_until_complete(editor.diagnostics(root, lambda ds: not any(d.code == "E011" for d in ds)))


def test_hover(loop, editor, work):
    root = "cityandguilds/4411.specc"
    uri = editor.open(root)
    doc, pos = editor.pos(uri, root, "mandatory 002", offset=len("mandatory "))
    h = loop.run_until_complete(editor.client.text_document_hover_async(t.HoverParams(text_document=doc, position=pos)))
    unit = (work / "cityandguilds/units/002.specc").read_text(encoding="utf-8").split("\n")[0]
    title = unit.split('"')[1]
    assert "Unit 002" in h.contents.value and title in h.contents.value
    assert "credits" in h.contents.value and "GLH" in h.contents.value
    # a criterion: its text and demands
    rel = "cityandguilds/units/001.specc"
    uri = editor.open(rel)
    doc, pos = editor.pos(uri, rel, "criterion 2.2", offset=len("criterion "))
    h = loop.run_until_complete(editor.client.text_document_hover_async(t.HoverParams(text_document=doc, position=pos)))
    assert "2.2" in h.contents.value and "demands at least 2 types of appearance" in h.contents.value
    # a method: its label
    rel = "ncfe/ncfe.specc"
    uri = editor.open(rel)
    doc, pos = editor.pos(uri, rel, "witness_testimony")
    h = loop.run_until_complete(editor.client.text_document_hover_async(t.HoverParams(text_document=doc, position=pos)))
    assert "Witness testimony" in h.contents.value or "witness" in h.contents.value.lower()
    assert "evidence method" in h.contents.value


def test_definition_and_references(loop, editor, work):
    root = "cityandguilds/4411.specc"
    uri = editor.open(root)
    doc, pos = editor.pos(uri, root, "mandatory 002", offset=len("mandatory "))
    loc = loop.run_until_complete(editor.client.text_document_definition_async(t.DefinitionParams(text_document=doc, position=pos)))
    assert loc.uri == editor.uri("cityandguilds/units/002.specc")
    assert (loc.range.start.line, loc.range.start.character) == (0, len("unit "))
    # references of unit 103: its declaration, the reuse links naming it, the groups and rules
    rel = "cityandguilds/units/103.specc"
    u103 = editor.open(rel)
    doc, pos = editor.pos(u103, rel, "unit 103", offset=len("unit "))
    refs = loop.run_until_complete(
        editor.client.text_document_references_async(t.ReferenceParams(text_document=doc, position=pos, context=t.ReferenceContext(include_declaration=True)))
    )
    files = {Path(r.uri).name for r in refs}
    reuse_files = {p.name for p in (work / "cityandguilds/units").glob("*.specc") if "reuse unit 103" in p.read_text(encoding="utf-8")}
    assert reuse_files and reuse_files <= files and "103.specc" in files
    # every reference found is the text 103 (or the declaration)
    for r in refs:
        path = Path(r.uri.removeprefix("file://"))
        line = path.read_text(encoding="utf-8").split("\n")[r.range.start.line]
        assert line[r.range.start.character : r.range.end.character] == "103"
    # from a reuse link's criterion to the criterion in the other unit
    rel = "cityandguilds/units/106.specc"
    u106 = editor.open(rel)
    doc, pos = editor.pos(u106, rel, "reuse unit 103 3.1", offset=len("reuse unit 103 "))
    loc = loop.run_until_complete(editor.client.text_document_definition_async(t.DefinitionParams(text_document=doc, position=pos)))
    line = (work / "cityandguilds/units/103.specc").read_text(encoding="utf-8").split("\n")[loc.range.start.line]
    assert loc.uri == u103 and "criterion 3.1" in line
    # `assessed under` through an aliased import, into the CfA file
    rel = "ncfe/units/09.specc"
    u09 = editor.open(rel)
    doc, pos = editor.pos(u09, rel, "cfa.deal_with")
    loc = loop.run_until_complete(editor.client.text_document_definition_async(t.DefinitionParams(text_document=doc, position=pos)))
    target = Path(loc.uri.removeprefix("file://"))
    assert target.parent.name == "cfa"
    assert "requirements deal_with_incoming_telephone_calls_from_customer" in target.read_text(encoding="utf-8").split("\n")[loc.range.start.line]
    # an import's path goes to the file
    doc, pos = editor.pos(uri, root, '"units/001.specc"', offset=3)
    loc = loop.run_until_complete(editor.client.text_document_definition_async(t.DefinitionParams(text_document=doc, position=pos)))
    assert loc.uri == editor.uri("cityandguilds/units/001.specc")


def _labels(items) -> set[str]:
    return {i.label for i in (items.items if hasattr(items, "items") else items)}


def test_completion(loop, editor, work):
    rel = "cityandguilds/units/004.specc"
    text = (work / rel).read_text(encoding="utf-8")
    uri = editor.open(rel, text)

    def complete(new_text: str, marker: str) -> set[str]:
        line_no = next(i for i, line in enumerate(new_text.split("\n")) if marker in line)
        line = new_text.split("\n")[line_no]
        editor.replace(uri, new_text)
        pos = t.Position(line_no, line.index(marker) + len(marker))
        got = loop.run_until_complete(editor.client.text_document_completion_async(t.CompletionParams(text_document=t.TextDocumentIdentifier(uri), position=pos)))
        return _labels(got)

    # a statement inside a unit: the unit's keywords, not the document's
    inside = text.replace("  credits ", "  \n  credits ", 1)
    lines = inside.split("\n")
    blank = next(i for i, line in enumerate(lines) if line == "  ")
    editor.replace(uri, inside)
    got = _labels(loop.run_until_complete(editor.client.text_document_completion_async(t.CompletionParams(text_document=t.TextDocumentIdentifier(uri), position=t.Position(blank, 2)))))
    assert {"outcome", "credits", "glh", "aim", "guidance"} <= got and "body" not in got and "qualification" not in got
    # environments after `evidence from`
    assert {"workplace", "rwe"} <= complete(text.replace("  credits ", "  evidence from \n  credits ", 1), "evidence from ")
    # evidence methods in a row
    assert {"observation", "witness_testimony"} <= complete(text.replace("methods ", "methods obs, ", 1), "methods obs, ")
    # unit ids after `reuse unit`
    got = complete(text.replace('reuse unit 103', "reuse unit 1", 1), "reuse unit 1") if "reuse unit 103" in text else None
    if got is not None:
        assert {"103", "001", "110"} <= got
    editor.replace(uri, text)
    # unit ids and groups in rules; requirement sets after `assessed under`
    root = "cityandguilds/4411.specc"
    rtext = (work / root).read_text(encoding="utf-8")
    ruri = editor.open(root, rtext)
    editor.replace(ruri, rtext.replace("mandatory 002\n", "mandatory 0\n", 1))
    line_no = next(i for i, line in enumerate(rtext.replace("mandatory 002\n", "mandatory 0\n", 1).split("\n")) if line.strip() == "mandatory 0")
    got = _labels(
        loop.run_until_complete(
            editor.client.text_document_completion_async(t.CompletionParams(text_document=t.TextDocumentIdentifier(ruri), position=t.Position(line_no, len("    mandatory 0"))))
        )
    )
    assert {"001", "002", "110", "entry3"} <= got
    editor.replace(ruri, rtext)
    rel = "ncfe/units/09.specc"
    ntext = (work / rel).read_text(encoding="utf-8")
    nuri = editor.open(rel, ntext)
    edited = ntext.replace("assessed under cfa.deal_with_incoming_telephone_calls_from_customer", "assessed under cfa.d", 1)
    editor.replace(nuri, edited)
    line_no = next(i for i, line in enumerate(edited.split("\n")) if "assessed under cfa.d" in line)
    got = _labels(
        loop.run_until_complete(
            editor.client.text_document_completion_async(t.CompletionParams(text_document=t.TextDocumentIdentifier(nuri), position=t.Position(line_no, len("  assessed under cfa.d"))))
        )
    )
    assert "cfa.deal_with_incoming_telephone_calls_from_customer" in got
    editor.replace(nuri, ntext)


def test_document_symbols(loop, editor, work):
    rel = "cityandguilds/units/001.specc"
    uri = editor.open(rel)
    syms = loop.run_until_complete(editor.client.text_document_document_symbol_async(t.DocumentSymbolParams(text_document=t.TextDocumentIdentifier(uri))))
    assert [s.name for s in syms] == ["unit 001"]
    outcomes = syms[0].children
    text = (work / rel).read_text(encoding="utf-8")
    assert [o.name for o in outcomes] == [f"outcome {n}" for n in range(1, text.count("\n  outcome ") + 1)]
    crits = [c.name for o in outcomes for c in o.children]
    assert crits[:2] == ["1.1", "1.2"] and len(crits) == text.count("criterion ")


def test_formatting(loop, editor, work):
    rel = "cityandguilds/units/005.specc"
    text = (work / rel).read_text(encoding="utf-8")
    messy = text.replace("\n  credits ", "\n        credits ", 1)
    uri = editor.open(rel, messy)
    edits = loop.run_until_complete(
        editor.client.text_document_formatting_async(t.DocumentFormattingParams(text_document=t.TextDocumentIdentifier(uri), options=t.FormattingOptions(tab_size=2, insert_spaces=True)))
    )
    assert len(edits) == 1 and edits[0].new_text == format_text(messy, rel)[0] != messy
    editor.replace(uri, text)


def test_rename_unit_across_files(loop, editor, work):
    rel = "cityandguilds/units/103.specc"
    uri = editor.open(rel)
    doc, pos = editor.pos(uri, rel, "unit 103", offset=len("unit "))
    edit = loop.run_until_complete(editor.client.text_document_rename_async(t.RenameParams(text_document=doc, position=pos, new_name="U103")))
    files = {Path(u).name: e for u, e in edit.changes.items()}
    assert "103.specc" in files and "4411.specc" in files
    assert {"104.specc", "106.specc", "107.specc", "110.specc"} <= set(files)
    assert all(e.new_text == "U103" for es in files.values() for e in es)
    # applying the edits gives a spec that checks as before
    for u, es in edit.changes.items():
        p = Path(u.removeprefix("file://"))
        lines = p.read_text(encoding="utf-8").split("\n")
        for e in sorted(es, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            ln = lines[e.range.start.line]
            lines[e.range.start.line] = ln[: e.range.start.character] + e.new_text + ln[e.range.end.character :]
        out = work.parent / "renamed" / p.relative_to(work)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines), encoding="utf-8")
    for p in (work / "cityandguilds").rglob("*.specc"):
        out = work.parent / "renamed" / p.relative_to(work)
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(p, out)
    before = check_json(work, "cityandguilds")
    after = check_json(work.parent / "renamed", "cityandguilds")
    assert [d["code"] for d in after] == [d["code"] for d in before]
    assert any("U103" in d["message"] for d in after) or not any("103" in d["message"] for d in before)
    # a bad new name is refused
    with pytest.raises(Exception, match="not a unit id"):
        loop.run_until_complete(editor.client.text_document_rename_async(t.RenameParams(text_document=doc, position=pos, new_name="10 3")))


def test_command_verbs_go_to_the_glossary(loop, editor, work):
    """A knowledge criterion's first word is its command verb: definition
    goes to the glossary entry, hover shows it, references list its uses."""
    rel = "ncfe/units/01.specc"
    uri = editor.open(rel)
    doc, pos = editor.pos(uri, rel, 'criterion 1.1 "State', offset=len('criterion 1.1 "'))
    loc = loop.run_until_complete(editor.client.text_document_definition_async(t.DefinitionParams(text_document=doc, position=pos)))
    assert loc.uri == editor.uri("ncfe/ncfe.specc")
    line = (work / "ncfe/ncfe.specc").read_text(encoding="utf-8").split("\n")[loc.range.start.line]
    assert line.strip().startswith('verb "State')
    h = loop.run_until_complete(editor.client.text_document_hover_async(t.HoverParams(text_document=doc, position=pos)))
    assert "command verb" in h.contents.value and "State" in h.contents.value
    refs = loop.run_until_complete(
        editor.client.text_document_references_async(
            t.ReferenceParams(text_document=doc, position=pos, context=t.ReferenceContext(include_declaration=False))
        )
    )
    assert len({r.uri for r in refs}) > 3  # used across the unit files
    for r in refs:
        text = Path(r.uri.removeprefix("file://")).read_text(encoding="utf-8").split("\n")[r.range.start.line]
        assert text[r.range.start.character : r.range.end.character].lower() == "state"


def test_columns_are_in_the_clients_utf16_units(loop, editor, work):
    """specc counts characters; LSP positions count UTF-16 code units (the
    encoding this client agreed to): an emoji before a name takes two."""
    rel = "cityandguilds/units/003.specc"
    text = (work / rel).read_text(encoding="utf-8")
    uri = editor.open(rel, text)
    edited = text.replace("\n  credits ", '\n  owner "\U0001f642 owner" unexpected\n  credits ', 1)
    editor.replace(uri, edited)
    ds = loop.run_until_complete(editor.diagnostics(uri, lambda ds: any(d.code == "E001" for d in ds)))
    e = next(d for d in ds if d.code == "E001")
    line = edited.split("\n")[e.range.start.line]
    units = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
    start = units(line[: line.index("unexpected")])
    assert (e.range.start.character, e.range.end.character) == (start, start + len("unexpected"))
    editor.replace(uri, text)
    loop.run_until_complete(editor.diagnostics(uri, lambda ds: not any(d.code == "E001" for d in ds)))
