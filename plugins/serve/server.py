"""``specc serve``: a live preview of the handbook and forms HTML.

It checks the specs under PATHS, builds their handbook and forms as HTML only
(no PDF, DOCX or ODT: a preview must be quick) into a private temporary
folder, and serves them on 127.0.0.1.  A watcher (watchfiles) rebuilds when a
``.specc`` file changes; the manifest of the output folder re-runs only the
emitters of specs whose inputs changed.  Every page shows the current
diagnostics in a banner and polls ``/_specc/state``, reloading itself after
each rebuild.  When a spec has errors the last good pages stay, under the
errors.
"""

from __future__ import annotations

import html
import json
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from specc import build, plugins
from specc.diagnostics import render, summary

EMITTERS = ("handbook", "forms")
HTML_ONLY = {"formats": "html", "handbook_formats": "html"}
POLL_MS = 300

RELOAD_JS = """<script>
(function(){var seen=%d;function poll(){fetch('/_specc/state',{cache:'no-store'}).then(function(r){return r.json()})
.then(function(s){if(s.build!==seen){location.reload();}else{setTimeout(poll,%d);}}).catch(function(){setTimeout(poll,1000);});}
setTimeout(poll,%d);})();
</script>"""

BANNER_CSS = (
    "#specc-diagnostics{font:13px/1.4 monospace;margin:0;padding:.6em 1em;border-bottom:2px solid #999;background:#f6f6f6;color:#222}"
    "#specc-diagnostics.errors{background:#fdecea;border-color:#c62828}#specc-diagnostics.warnings{background:#fff8e1;border-color:#f9a825}"
    "#specc-diagnostics pre{white-space:pre-wrap;margin:.4em 0}"
)


class Preview:
    """The state of the preview: the last build's pages and diagnostics."""

    def __init__(self, paths: list[str], out: Path):
        self.paths = paths
        self.out = out
        self.folder = build.OutputFolder(str(out))
        self.lock = threading.Lock()
        self.build_no = 0
        self.diagnostics_html = ""
        self.status = "none"
        self.pages: list[tuple[str, str]] = []  # (label, path under out/)
        self.files: set[str] = set()

    def rebuild(self) -> None:
        """Check, then emit what changed; never raises (the page shows why)."""
        error = None
        try:
            comps = build.compile_all(self.paths)
            self.files = {f for c in comps for f in c.files}
            diags = [d for c in comps for d in c.diagnostics]
            blocks, seen = [], set()
            for c in comps:
                for d in c.diagnostics:
                    k = (d.code, d.message, d.span)
                    if k not in seen:
                        seen.add(k)
                        blocks.append(render(d, c.sources))
            errors = any(d.is_error for d in diags)
            if not errors:
                registry = plugins.emitters()
                jobs = [j for c in comps if c.ok for j in build.plan(c, [registry[n] for n in EMITTERS if n in registry], HTML_ONLY)]
                results = build.emit_all(jobs, self.folder, HTML_ONLY)
                self.folder.save()
                failed = [r for r in results if r.status == "failed"]
                if failed:
                    error = "; ".join(r.error or "" for r in failed)
            pages = self._pages()
            status = "errors" if errors else ("warnings" if diags else "clean")
            text = f"specc: {summary(diags)}" + (" (showing the last good build)" if errors else "")
        except Exception as e:  # noqa: BLE001 - shown on the page, the server goes on
            blocks, pages, status, text = [], self._pages(), "errors", "specc: the preview could not be built"
            error = repr(e)
        if error:
            blocks.append(error)
        body = "".join(f"<pre>{html.escape(b)}</pre>" for b in blocks)
        banner = f'<div id="specc-diagnostics" class="{status}" data-status="{status}"><strong>{html.escape(text)}</strong>{body}</div>'
        with self.lock:
            self.diagnostics_html = banner
            self.pages = pages
            self.status = status
            self.build_no += 1

    def _pages(self) -> list[tuple[str, str]]:
        out = []
        for p in sorted(self.out.rglob("*.html")):
            rel = p.relative_to(self.out).as_posix()
            out.append((rel, rel))
        return out

    def watched(self) -> list[str]:
        """The folders to watch: those named and those of every file the
        specs read (an import may reach outside them, as the seeds' ../cfa does)."""
        dirs = {Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in self.paths}
        dirs |= {Path(f).resolve().parent for f in self.files}
        return sorted(str(d) for d in dirs if not any(o in d.parents for o in dirs))

    def state(self) -> dict:
        with self.lock:
            return {"build": self.build_no, "status": self.status}

    def decorate(self, page: str) -> str:
        """A page with the diagnostics banner at the top and the reload script."""
        with self.lock:
            banner, n = self.diagnostics_html, self.build_no
        head = f"<style>{BANNER_CSS}</style>"
        tail = RELOAD_JS % (n, POLL_MS, POLL_MS)
        low = page.lower()
        i = low.find("<body")
        if i >= 0:
            j = page.find(">", i) + 1
            page = page[:j] + banner + page[j:]
        else:
            page = banner + page
        k = page.lower().rfind("</body>")
        page = (page[:k] + tail + page[k:]) if k >= 0 else page + tail
        k = page.lower().find("</head>")
        return (page[:k] + head + page[k:]) if k >= 0 else head + page

    def index_page(self) -> str:
        with self.lock:
            pages = list(self.pages)
        items = "".join(f'<li><a href="/out/{urllib.parse.quote(p)}">{html.escape(label)}</a></li>' for label, p in pages)
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>specc preview</title></head><body>"
            f"<h1>specc preview</h1><p>{html.escape(', '.join(self.paths))}</p><ul id='pages'>{items or '<li>nothing built yet</li>'}</ul></body></html>"
        )


def make_handler(preview: Preview):
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(preview.out), **kw)

        def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
            pass

        def _send(self, body: bytes, ctype: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _host_ok(self) -> bool:
            """On a loopback address, only requests naming it (a page elsewhere
            that rebinds its DNS name to 127.0.0.1 cannot read the preview)."""
            host, port = self.server.server_address[:2]
            if host not in ("127.0.0.1", "::1", "localhost"):
                return True
            return self.headers.get("Host", "") in {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}

        def do_GET(self):  # noqa: N802 - the stdlib's name
            if not self._host_ok():
                return self.send_error(HTTPStatus.FORBIDDEN, "unexpected Host header")
            path = urllib.parse.urlsplit(self.path).path
            if path == "/_specc/state":
                return self._send(json.dumps(preview.state()).encode(), "application/json")
            if path in ("/", "/index.html"):
                return self._send(preview.decorate(preview.index_page()).encode("utf-8"), "text/html; charset=utf-8")
            if not path.startswith("/out/"):
                return self.send_error(HTTPStatus.NOT_FOUND)
            rel = urllib.parse.unquote(path[len("/out/") :])
            target = (preview.out / rel).resolve()
            if preview.out.resolve() not in target.parents or not target.is_file():
                return self.send_error(HTTPStatus.NOT_FOUND)
            if target.suffix == ".html":
                page = target.read_text(encoding="utf-8", errors="replace")
                return self._send(preview.decorate(page).encode("utf-8"), "text/html; charset=utf-8")
            self.path = "/" + rel
            return super().do_GET()

        def do_HEAD(self):  # noqa: N802
            return self.send_error(HTTPStatus.METHOD_NOT_ALLOWED)

    return Handler


def watch(preview: Preview, stop: threading.Event) -> None:
    from watchfiles import watch as wf

    for changes in wf(*preview.watched(), stop_event=stop, debounce=150, step=50, watch_filter=lambda _c, p: p.endswith(".specc")):
        if changes:
            preview.rebuild()


def run(args) -> int:
    paths = args.paths or ["specs"]
    for p in paths:
        if not Path(p).exists():
            print(f"specc: error: no such file or folder: {p}", file=sys.stderr)
            return 2
    out = Path(tempfile.mkdtemp(prefix="specc-serve-"))
    preview = Preview(paths, out)
    started = time.perf_counter()
    preview.rebuild()
    try:
        httpd = ThreadingHTTPServer((args.host, args.port), make_handler(preview))
    except OSError as e:
        print(f"specc: error: cannot listen on {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        shutil.rmtree(out, ignore_errors=True)
        return 2
    host, port = httpd.server_address[:2]
    print(f"specc serve: http://{host}:{port}/ ({preview.status}, built in {time.perf_counter() - started:.1f} s); Ctrl-C stops", file=sys.stderr, flush=True)
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, stop), daemon=True)
    watcher.start()
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        httpd.server_close()
        shutil.rmtree(out, ignore_errors=True)
    return 0
