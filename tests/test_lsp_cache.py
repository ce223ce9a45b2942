"""The parse cache (specc/cache.py): a warm `specc check` reuses parsed files
whose bytes have not changed, gives the same diagnostics, and treats a
corrupt, forged or foreign entry as a miss."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from specc import cache
from specc.lower import lower
from specc.syntax import parse

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "specs" / "cityandguilds" / "units" / "001.specc"


def parsed(name: str, text: str):
    tree, errs = parse(text, name)
    diags = list(errs)
    decls, uses = lower(tree, name, diags)
    return decls, list(uses), diags


@pytest.fixture
def pc(tmp_path) -> cache.ParseCache:
    return cache.ParseCache(tmp_path / "c")


def test_round_trip_keeps_the_ir_and_its_spans(pc):
    text = UNIT.read_text(encoding="utf-8")
    value = parsed("u.specc", text)
    pc.put("u.specc", text, value)
    got = pc.get("u.specc", text)
    assert got is not None and pc.hits == 1
    decls, uses, diags = got
    assert decls == value[0] and list(uses) == value[1] and diags == value[2]
    spans = lambda d: [(u.span, [c.span for c in u.criteria]) for u in d.units]  # noqa: E731
    assert spans(decls) == spans(value[0])  # spans are not compared by ==


def test_changed_bytes_miss(pc):
    text = UNIT.read_text(encoding="utf-8")
    pc.put("u.specc", text, parsed("u.specc", text))
    assert pc.get("u.specc", text + "\n") is None
    assert pc.get("u.specc", text.replace("criterion 1.1", "criterion 1.2", 1)) is None


def test_the_same_bytes_under_another_name_hit_with_their_spans_renamed(pc):
    """specc run from another folder shows the file under another name."""
    text = UNIT.read_text(encoding="utf-8")
    pc.put("u.specc", text, parsed("u.specc", text))
    decls, _, diags = pc.get("../x/u.specc", text)
    want = parsed("../x/u.specc", text)[0]
    assert decls == want and decls.file == "../x/u.specc"
    assert {u.span.file for u in decls.units} == {"../x/u.specc"}
    assert [c.span for u in decls.units for c in u.criteria] == [c.span for u in want.units for c in u.criteria]


def entry_files(pc) -> list[Path]:
    return sorted((pc.folder / "parse").rglob("*.json"))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b[: len(b) // 2],  # truncated write
        lambda b: b.replace(b'"Unit"', b'"Uint"'),  # body changed, signature kept
        lambda b: b"0" * 64 + b"\n" + b.partition(b"\n")[2],  # forged signature
        lambda b: b.replace(b'"u.specc"', b'"v.specc"', 1),  # the name line changed
        lambda b: b"",  # empty
        lambda b: b"\xff\xfe garbage",  # not even text
    ],
)
def test_tampered_entries_are_misses(pc, tamper):
    text = UNIT.read_text(encoding="utf-8")
    pc.put("u.specc", text, parsed("u.specc", text))
    (f,) = entry_files(pc)
    f.write_bytes(tamper(f.read_bytes()))
    assert pc.get("u.specc", text) is None


def test_a_validly_signed_entry_still_builds_only_ir_classes(pc):
    """Even under a stolen key, an entry names classes, never code to run."""
    import hashlib
    import hmac

    text = UNIT.read_text(encoding="utf-8")
    pc.put("u.specc", text, parsed("u.specc", text))
    (f,) = entry_files(pc)
    key = (pc.folder / "key").read_bytes()
    for body in (
        json.dumps([{"@": "Popen", "v": [["sh", "-c", "touch /tmp/pwned"]]}, [], []]).encode(),
        json.dumps([{"@": "Unit", "v": [1]}, [], []]).encode(),
        json.dumps({"not": "a list"}).encode(),
    ):
        signed = b'"u.specc"\n' + body
        f.write_bytes(hmac.new(key, signed, hashlib.sha256).hexdigest().encode() + b"\n" + signed)
        assert pc.get("u.specc", text) is None


def test_a_copied_cache_folder_is_not_trusted(tmp_path):
    """Entries signed under another folder's key are misses here."""
    text = UNIT.read_text(encoding="utf-8")
    a, b = cache.ParseCache(tmp_path / "a"), cache.ParseCache(tmp_path / "b")
    a.put("u.specc", text, parsed("u.specc", text))
    (src,) = entry_files(a)
    b.get("x", "x")  # makes b's own key
    dst = b.folder / src.relative_to(a.folder)
    dst.parent.mkdir(parents=True)
    dst.write_bytes(src.read_bytes())
    assert b.get("u.specc", text) is None


def run_check(tmp_path, *args, cache_dir=None, extra_env=None):
    env = dict(os.environ, SPECC_CACHE_DIR=str(cache_dir or tmp_path / "cache"), **(extra_env or {}))
    return subprocess.run([sys.executable, "-m", "specc", "check", "--format", "json", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_warm_check_reads_the_cache_and_says_the_same(tmp_path):
    cold = run_check(tmp_path, "specs")
    files = list((tmp_path / "cache" / "parse").rglob("*.json"))
    n_sources = len(list((ROOT / "specs").rglob("*.specc")))
    assert len(files) == n_sources  # one entry per source file
    warm = run_check(tmp_path, "specs")
    assert warm.returncode == cold.returncode and json.loads(warm.stdout) == json.loads(cold.stdout)
    # every entry corrupted: still the same answer (parsed again)
    for f in files:
        f.write_bytes(b"{}")
    again = run_check(tmp_path, "specs")
    assert json.loads(again.stdout) == json.loads(cold.stdout)
    # off: nothing written
    off = run_check(tmp_path, "specs", cache_dir=tmp_path / "off", extra_env={"SPECC_CACHE": "off"})
    assert json.loads(off.stdout) == json.loads(cold.stdout) and not (tmp_path / "off").exists()


def test_an_unusable_cache_folder_is_no_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = run_check(tmp_path, "specs", cache_dir=blocker / "cache")
    assert r.returncode == 0 and json.loads(r.stdout) and "Traceback" not in r.stderr


def test_check_reads_parsed_files_from_the_cache(tmp_path):
    """An entry (signed with the folder's key) stands for its file: proof
    that a warm run does not parse the file again."""
    run_check(tmp_path, "specs/cityandguilds")
    name = "specs/cityandguilds/units/001.specc"
    text = (ROOT / name).read_text(encoding="utf-8")
    pc = cache.ParseCache(tmp_path / "cache")
    assert pc.get(name, text) is not None
    pc.put(name, text, parsed(name, text.replace("criterion 2.1 ", "criterion 2.9 ", 1)))
    got = json.loads(run_check(tmp_path, "specs/cityandguilds").stdout)
    assert any("2.9" in d["message"] for d in got)


def test_prune_removes_entries_unused_for_long(pc):
    text = UNIT.read_text(encoding="utf-8")
    pc.put("u.specc", text, parsed("u.specc", text))
    other = text.replace("unit 001", "unit 001b", 1)
    pc.put("u.specc", other, parsed("u.specc", other))
    old, new = sorted(entry_files(pc), key=lambda f: f.name)
    os.utime(old, (0, 0))
    assert pc.prune() == 1 and entry_files(pc) == [new]


def test_a_read_keeps_an_entry(pc):
    text = UNIT.read_text(encoding="utf-8")
    pc.put("u.specc", text, parsed("u.specc", text))
    (f,) = entry_files(pc)
    os.utime(f, (0, 0))
    assert pc.get("u.specc", text) is not None
    assert pc.prune() == 0 and entry_files(pc) == [f]
