"""`specc serve` in real headless Chromium (Debian's /usr/bin/chromium),
driven through the DevTools protocol: the page changes after an edit, and a
diagnostic appears on it and clears, without anyone reloading the page."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websocket

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TIMEOUT = 60

ROOT_SPEC = """import "units/u1.specc"

document mini "Mini specification" {
  body demo "Demo Body"
}

qualification q1 "Demo Award in Serving" {
  level 1
  credits 2
  glh 10
  rules {
    mandatory u1
  }
}
"""

UNIT = """unit u1 "Greet the customer" {
  level 1
  credits 2
  glh 10
  outcome 1 performance "Be able to greet customers" {
    criterion 1.1 "greet the customer politely"
  }
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(pred, what: str, timeout: float = TIMEOUT):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            got = pred()
        except Exception as e:  # noqa: BLE001 - retried until the deadline
            got, last = None, e
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what} (last error: {last!r})")


class Page:
    """One Chromium tab over the DevTools protocol (websocket-client)."""

    def __init__(self, ws_url: str):
        self.ws = websocket.create_connection(ws_url, timeout=TIMEOUT, suppress_origin=True)
        self.n = 0

    def call(self, method: str, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.n:
                if "error" in msg:
                    raise RuntimeError(msg["error"])
                return msg["result"]

    def eval(self, expr: str):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"])
        return r["result"].get("value")


@pytest.fixture
def served(tmp_path):
    spec = tmp_path / "mini"
    (spec / "units").mkdir(parents=True)
    (spec / "mini.specc").write_text(ROOT_SPEC, encoding="utf-8")
    (spec / "units" / "u1.specc").write_text(UNIT, encoding="utf-8")
    env = dict(os.environ, SPECC_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "specc", "serve", "mini", "--port", "0"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stderr.readline()
        assert "http://127.0.0.1:" in line, line
        url = line.split()[2]
        yield spec, url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def browser(tmp_path):
    assert Path(CHROMIUM).exists(), "Chromium is installed by the test set-up (apt-get install chromium)"
    port = free_port()
    profile = tmp_path / "profile"
    profile.mkdir()
    proc = subprocess.Popen(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", f"--remote-debugging-port={port}", "--remote-allow-origins=*", "about:blank",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def open_page(port: int, url: str) -> Page:
    def target():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
            pages = [t for t in json.load(r) if t.get("type") == "page"]
        return pages[0]["webSocketDebuggerUrl"] if pages else None

    page = Page(wait(target, "Chromium's DevTools endpoint"))
    page.call("Page.navigate", url=url)
    return page


@pytest.mark.slow
def test_live_preview_in_chromium(served, browser):
    spec, url = served
    page = open_page(browser, url + "out/mini/handbook/mini.html")

    def text() -> str:
        return page.eval("document.body ? document.body.innerText : ''") or ""

    def banner() -> tuple[str, str]:
        return tuple(page.eval("(function(){var b=document.getElementById('specc-diagnostics');return b?[b.dataset.status,b.innerText]:['','']})()"))

    wait(lambda: "Greet the customer" in text(), "the handbook page")
    assert banner()[0] == "clean"
    # an edit on disk: the page reloads by itself and shows the new title
    unit = spec / "units" / "u1.specc"
    unit.write_text(UNIT.replace("Greet the customer", "Welcome the visitor"), encoding="utf-8")
    wait(lambda: "Welcome the visitor" in text(), "the page to show the edit")
    assert "Greet the customer" not in text()
    # a mistake: the diagnostic appears on the page, with where and why
    unit.write_text(UNIT.replace("Greet the customer", "Welcome the visitor").replace("credits 2", "credits 1.5"), encoding="utf-8")
    status, shown = wait(lambda: banner()[0] == "errors" and banner(), "the diagnostic to appear")
    assert "error[E002]" in shown and "units/u1.specc:3:" in shown and "whole number" in shown
    assert "Welcome the visitor" in text()  # the last good build stays under the errors
    # fixed: the diagnostic clears
    unit.write_text(UNIT.replace("Greet the customer", "Welcome the visitor"), encoding="utf-8")
    wait(lambda: banner()[0] == "clean", "the diagnostic to clear")
    assert "E002" not in banner()[1]
    # the index lists the pages, and nothing outside the output folder is served
    page.call("Page.navigate", url=url)
    wait(lambda: "mini/handbook/mini.html" in text(), "the index")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(url + "out/%2e%2e/%2e%2e/etc/passwd", timeout=5)
    # a request for another host name (DNS rebinding) is refused
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(urllib.request.Request(url, headers={"Host": "evil.example:80"}), timeout=5)
    assert e.value.code == 403
