"""``specc lsp``: the language server (pygls) over stdio.

Editor buffers are compiled, not the disk (:func:`.project.compile_with_overlay`).
Diagnostics are published a short while after the author stops typing
(``debounce`` seconds, 0.3 by default; an editor may send
``initializationOptions: {"debounce": 0.1}``), for every file of every spec
the edited file belongs to, with the codes, spans and help of ``specc check``.
In a large spec (a full check over ``quickThreshold`` seconds, 0.3 by
default) the edited file is checked on its own first, against the rest of the
spec as last checked, and the whole spec follows in a worker thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from specc import __version__
from specc.diagnostics import Diagnostic
from specc.fmt import format_text

from . import features
from . import index as ix
from .project import Project

DEBOUNCE = 0.3
QUICK_THRESHOLD = 0.3  # seconds: a spec whose full check takes longer is checked by file first
NEW_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:[-/]\d+)*")
SYMBOL_KINDS = {
    ix.UNIT: t.SymbolKind.Class,
    ix.OUTCOME: t.SymbolKind.Namespace,
    ix.CRITERION: t.SymbolKind.Field,
    ix.QUALIFICATION: t.SymbolKind.Module,
    ix.GROUP: t.SymbolKind.Package,
    ix.RSET: t.SymbolKind.Struct,
    ix.DOCUMENT: t.SymbolKind.File,
}
COMPLETION_KINDS = {
    "keyword": t.CompletionItemKind.Keyword,
    "unit": t.CompletionItemKind.Class,
    "group": t.CompletionItemKind.Module,
    "requirements": t.CompletionItemKind.Struct,
    "method": t.CompletionItemKind.EnumMember,
    "verb": t.CompletionItemKind.Text,
    "value": t.CompletionItemKind.Value,
}


def to_range(span) -> t.Range:
    if span is None or span.line <= 0:
        return t.Range(t.Position(0, 0), t.Position(0, 1))
    start = t.Position(span.line - 1, max(0, span.col - 1))
    end = t.Position(max(span.end_line - 1, start.line), max(0, span.end_col - 1))
    if (end.line, end.character) <= (start.line, start.character):
        end = t.Position(start.line, start.character + 1)
    return t.Range(start, end)


def to_lsp(d: Diagnostic) -> t.Diagnostic:
    msg = d.message
    for note in d.notes:
        msg += f"\nnote: {note}"
    if d.help:
        msg += f"\nhelp: {d.help}"
    if d.source:
        msg += f"\nnote: reported by plugin `{d.source}`"
    sev = t.DiagnosticSeverity.Error if d.is_error else t.DiagnosticSeverity.Warning
    return t.Diagnostic(range=to_range(d.span), message=msg, severity=sev, code=d.code, source="specc")


class SpeccServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("specc", __version__, text_document_sync_kind=t.TextDocumentSyncKind.Incremental)
        self.project = Project()
        self.debounce = DEBOUNCE
        self._pending: dict[Path, asyncio.TimerHandle] = {}
        self._published: dict[Path, set[Path]] = {}  # file with diagnostics -> the roots that reported them
        self.quick_threshold = QUICK_THRESHOLD
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="specc-check")

    # ------------------------------------------------------------ positions
    # specc counts columns in characters (code points); the client counts in
    # the encoding agreed at initialisation (UTF-16 unless it offers another)

    def client_range(self, path: Path, span, lines: list[str] | None = None) -> t.Range:
        r = to_range(span)
        codec = self.workspace.position_codec
        if codec.encoding == t.PositionEncodingKind.Utf32:
            return r
        lines = lines if lines is not None else (self.project.text(path) or "").split("\n")
        return t.Range(codec.position_to_client_units(lines, r.start), codec.position_to_client_units(lines, r.end))

    def at(self, uri: str, position: t.Position) -> tuple[Path, int, int]:
        """The file, 1-based line and character column of a client position."""
        path = _path(uri)
        codec = self.workspace.position_codec
        if codec.encoding == t.PositionEncodingKind.Utf32:
            return path, position.line + 1, position.character + 1
        lines = (self.project.text(path) or "").split("\n")
        p = codec.position_from_client_units(lines, t.Position(position.line, position.character))
        return path, p.line + 1, p.character + 1

    # ------------------------------------------------------------ diagnostics
    def schedule(self, path: Path) -> None:
        old = self._pending.pop(path, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self._pending[path] = loop.call_later(self.debounce, self.publish, path)

    def publish(self, path: Path) -> None:
        """Check the file: in a large spec its own diagnostics first (by
        file), then the whole spec in the background; else the whole spec."""
        self._pending.pop(path, None)
        try:
            quick = self.project.quick(path, self.quick_threshold)
        except Exception as e:  # noqa: BLE001 - a compiler bug must not take the editor's server down
            self._log_failure(path, e)
            quick = None
        if quick is None:
            self._full_now(path)
            return
        self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=from_fs_path(str(path)), diagnostics=self.lsp_diagnostics(path, quick)))
        self._full_later(path)

    def lsp_diagnostics(self, path: Path, diags: list[Diagnostic]) -> list[t.Diagnostic]:
        lines = (self.project.text(path) or "").split("\n") if diags else []
        out = []
        for d in diags:
            x = to_lsp(d)
            x.range = self.client_range(path, d.span, lines)
            out.append(x)
        return out

    def _log_failure(self, path: Path, e: Exception) -> None:
        self.window_log_message(t.LogMessageParams(t.MessageType.Error, f"specc: checking {path} failed: {e!r}"))

    def _full_now(self, path: Path) -> None:
        try:
            found = self.project.check(path)
        except Exception as e:  # noqa: BLE001
            self._log_failure(path, e)
            return
        self._send(path, found)

    def _full_later(self, path: Path) -> None:
        """The whole-spec check in a worker thread; its result is published
        only if no buffer changed meanwhile (a newer check is then due)."""
        generation = self.project.generation
        loop = asyncio.get_running_loop()

        def done(fut) -> None:
            if fut.exception() is not None:
                self._log_failure(path, fut.exception())
            elif self.project.generation == generation:
                self._send(path, fut.result())

        fut = loop.run_in_executor(self._worker, self.project.check, path)
        fut.add_done_callback(done)

    def _send(self, path: Path, found: dict) -> None:
        roots = set(self.project.roots_of(path))
        for f, diags in found.items():
            self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=from_fs_path(str(f)), diagnostics=self.lsp_diagnostics(f, diags)))
            if diags:
                self._published[f] = roots
            else:
                self._published.pop(f, None)
        for f, by in list(self._published.items()):
            if f not in found and by & roots:  # dropped out of the spec
                self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=from_fs_path(str(f)), diagnostics=[]))
                del self._published[f]


server = SpeccServer()


def _path(uri: str) -> Path:
    return Path(to_fs_path(uri) or uri).resolve()


def _sync(ls: SpeccServer, uri: str) -> Path:
    path = _path(uri)
    text = ls.workspace.get_text_document(uri).source
    if ls.project.overlay.get(path) != text:
        ls.project.set_text(path, text)
    return path


@server.feature(t.INITIALIZE)
def initialize(ls: SpeccServer, params: t.InitializeParams) -> None:
    folders = [Path(to_fs_path(f.uri)).resolve() for f in params.workspace_folders or []]
    if not folders and params.root_uri:
        folders = [Path(to_fs_path(params.root_uri)).resolve()]
    ls.project.folders = folders
    opts = params.initialization_options or {}
    if not isinstance(opts, dict):
        return
    if isinstance(opts.get("debounce"), (int, float)) and 0 <= opts["debounce"] <= 10:
        ls.debounce = float(opts["debounce"])
    if isinstance(opts.get("quickThreshold"), (int, float)) and opts["quickThreshold"] >= 0:
        ls.quick_threshold = float(opts["quickThreshold"])


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: SpeccServer, params: t.DidOpenTextDocumentParams) -> None:
    ls.schedule(_sync(ls, params.text_document.uri))


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: SpeccServer, params: t.DidChangeTextDocumentParams) -> None:
    ls.schedule(_sync(ls, params.text_document.uri))


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: SpeccServer, params: t.DidSaveTextDocumentParams) -> None:
    ls.schedule(_sync(ls, params.text_document.uri))


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: SpeccServer, params: t.DidCloseTextDocumentParams) -> None:
    path = _path(params.text_document.uri)
    ls.project.set_text(path, None)
    ls.schedule(path)  # the file on disk may differ from the buffer that was closed


@server.feature(t.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: SpeccServer, params: t.DidChangeWatchedFilesParams) -> None:
    """A file changed on disk (not through an open buffer): check its specs again."""
    for change in params.changes:
        path = _path(change.uri)
        if path.suffix == ".specc" and path not in ls.project.overlay:
            ls.project.set_text(path, None)
            ls.schedule(path)


@server.feature(t.TEXT_DOCUMENT_HOVER)
def hover(ls: SpeccServer, params: t.HoverParams) -> t.Hover | None:
    path, line, col = ls.at(params.text_document.uri, params.position)
    r = ls.project.resolve(path, line, col)
    if r is None:
        return None
    md = features.hover_markdown(r)
    if md is None:
        return None
    return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=md), range=ls.client_range(path, r.occurrence.span))


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
def definition(ls: SpeccServer, params: t.DefinitionParams) -> t.Location | None:
    path, line, col = ls.at(params.text_document.uri, params.position)
    r = ls.project.resolve(path, line, col)
    if r is None or r.definition is None:
        return None
    target, occ = r.definition
    return t.Location(uri=from_fs_path(str(target)), range=ls.client_range(target, occ.span))


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
def references(ls: SpeccServer, params: t.ReferenceParams) -> list[t.Location]:
    path, line, col = ls.at(params.text_document.uri, params.position)
    refs = ls.project.references(path, line, col, params.context.include_declaration)
    return [t.Location(uri=from_fs_path(str(p)), range=ls.client_range(p, o.span)) for p, o in refs]


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: SpeccServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
    path = _path(params.text_document.uri)
    outline = ls.project.index(path).outline
    lines = (ls.project.text(path) or "").split("\n")

    def conv(o: ix.Outline) -> t.DocumentSymbol:
        return t.DocumentSymbol(
            name=o.name if o.kind in (ix.OUTCOME, ix.CRITERION) else f"{o.kind} {o.name}",
            detail=o.detail,
            kind=SYMBOL_KINDS.get(o.kind, t.SymbolKind.Object),
            range=ls.client_range(path, o.span, lines),
            selection_range=ls.client_range(path, o.name_span, lines),
            children=[conv(c) for c in o.children],
        )

    return [conv(o) for o in outline]


@server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[" ", ","]))
def completion(ls: SpeccServer, params: t.CompletionParams) -> t.CompletionList:
    _sync(ls, params.text_document.uri)
    path, line, col = ls.at(params.text_document.uri, params.position)
    text = ls.project.text(path) or ""
    names = ls.project.spec_names(path)
    items = features.completions(text, line, col, names)
    return t.CompletionList(
        is_incomplete=False,
        items=[t.CompletionItem(label=label, kind=COMPLETION_KINDS.get(kind), detail=detail or None) for label, kind, detail in items],
    )


@server.feature(t.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: SpeccServer, params: t.DocumentFormattingParams) -> list[t.TextEdit] | None:
    path = _sync(ls, params.text_document.uri)
    text = ls.project.text(path) or ""
    out, _diags = format_text(text, str(path))
    if out is None or out == text:
        return [] if out is not None else None  # a file that does not parse is left alone (its errors are shown)
    lines = text.split("\n")
    whole = t.Range(t.Position(0, 0), t.Position(len(lines), 0))
    return [t.TextEdit(range=whole, new_text=out)]


@server.feature(t.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: SpeccServer, params: t.PrepareRenameParams) -> t.Range | None:
    path, line, col = ls.at(params.text_document.uri, params.position)
    r = ls.project.resolve(path, line, col)
    if r is None or r.occurrence.kind != ix.UNIT or r.definition is None or r.definition[1].kind != ix.UNIT:
        return None
    return ls.client_range(path, r.occurrence.span)


@server.feature(t.TEXT_DOCUMENT_RENAME)
def rename(ls: SpeccServer, params: t.RenameParams) -> t.WorkspaceEdit | None:
    path, line, col = ls.at(params.text_document.uri, params.position)
    r = ls.project.resolve(path, line, col)
    if r is None or r.definition is None or r.definition[1].kind != ix.UNIT:
        raise ValueError("only a unit id can be renamed here: put the cursor on a unit's id or a reference to it")
    new = params.new_name
    if not NEW_ID.fullmatch(new):
        raise ValueError(f"`{new}` is not a unit id: use letters, digits and _, or a number like 101 or 601-3972")
    changes: dict[str, list[t.TextEdit]] = {}
    for p, o in ls.project.references(path, line, col, include_def=True):
        prefix = o.name.rpartition(".")[0] if "." in o.name and not o.is_def else ""
        text = f"{prefix}.{new}" if prefix else new
        changes.setdefault(from_fs_path(str(p)), []).append(t.TextEdit(range=ls.client_range(p, o.span), new_text=text))
    return t.WorkspaceEdit(changes=changes)


def main() -> int:
    server.start_io()
    return 0
