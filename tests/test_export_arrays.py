"""A JSON file holding an array of portfolios (a system's export) is read
like JSON Lines: an element at a time by a streaming reader, each element an
input with the size limit of one portfolio, so a file far larger than the
limit is checked whole without ever being held whole; an element that is not
JSON is reported for itself and the rest are read on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specc.cli import main
from specc_plugins.export import runtime

ROOT = Path(__file__).resolve().parent.parent
CG = ROOT / "specs" / "cityandguilds"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def inputs(path, limit=None) -> list[tuple]:
    return list(runtime.read_inputs(str(path), limit))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(json_values, max_size=8),
    chunk=st.integers(min_value=1, max_value=17),
    indent=st.sampled_from([None, 0, 2]),
    ascii_only=st.booleans(),
)
def test_every_element_is_an_input_whatever_the_chunks(tmp_path, monkeypatch, values, chunk, indent, ascii_only):
    """Any array, however laid out and cut into chunks (multi-byte characters,
    brackets, commas and quotes inside strings), gives its elements in order."""
    monkeypatch.setattr(runtime, "READ_CHUNK", chunk)
    path = tmp_path / "export.json"
    path.write_bytes(json.dumps(values, indent=indent, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"))
    got = inputs(path)
    assert [label for label, *_ in got] == [f"{path}[{i}]" for i in range(len(values))]
    assert all(lines and problem is None for _, _, lines, problem in got)
    assert [runtime.parse(data)[0] for _, data, _, _ in got] == json.loads(path.read_bytes().decode("utf-8", "surrogatepass"))


BROKEN = [
    # (file, [(label suffix, data or None, code of the problem or None)])
    (b'[{"a": tru}, {"b": 1}]', [("[0]", b'{"a": tru}', None), ("[1]", b'{"b": 1}', None)]),
    (b'[{"a": "x,]}"}, {"a": 1,}, 2]', [("[0]", b'{"a": "x,]}"}', None), ("[1]", b'{"a": 1,}', None), ("[2]", b"2", None)]),
    (b'[1, {"b": \xff}, "\xc3\xa9"]', [("[0]", b"1", None), ("[1]", b'{"b": \xff}', None), ("[2]", b'"\xc3\xa9"', None)]),
    (b"[1,,2]", [("[0]", b"1", None), ("[1]", b"2", None), ("", None, "V100")]),
    (b"[1,2,]", [("[0]", b"1", None), ("[1]", b"2", None), ("", None, "V100")]),
    (b"[1 2]", [("[0]", b"1", None), ("[1]", b"2", None), ("", None, "V100")]),
    (b"[1] trailing", [("[0]", b"1", None), ("", None, "V100")]),
    (b'[{"a": 1}, {"b": "cut', [("[0]", b'{"a": 1}', None), ("[1]", b'{"b": "cut', None), ("", None, "V100")]),
    (b"[", [("", None, "V100")]),
    (b" [ ]\n", []),
    (b'{"an": "object"}', [("", b'{"an": "object"}', None)]),
]


@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
@pytest.mark.parametrize("data, expected", BROKEN, ids=[repr(b[:24]) for b, _ in BROKEN])
def test_broken_arrays(tmp_path, monkeypatch, data, expected, chunk):
    """A malformed element is an input of its own (its bytes, parsed -- and
    refused -- where it is checked); a broken array (a comma too many or too
    few, not closed, more after it) is one V100 for the file, after the
    elements that could be read."""
    monkeypatch.setattr(runtime, "READ_CHUNK", chunk)
    path = tmp_path / "export.json"
    path.write_bytes(data)
    got = [(label, data, problem and problem[0]) for label, data, _, problem in inputs(path)]
    assert got == [(f"{path}{suffix}", d, code) for suffix, d, code in expected]


def test_a_too_large_element_is_v110_and_its_neighbours_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(runtime, "READ_CHUNK", 64)
    path = tmp_path / "export.json"
    big = json.dumps({"learner": {"name": "x" * 5000}, "units": [[["]"]] * 50]})
    path.write_text(f'[{{"a": 1}}, {big}, "{"y" * 3000}\\"", {{"b": 2}}]', encoding="utf-8")
    got = inputs(path, limit=1000)
    assert [(label[len(str(path)) :], data, problem and problem[0]) for label, data, _, problem in got] == [
        ("[0]", b'{"a": 1}', None),
        ("[1]", None, "V110"),
        ("[2]", None, "V110"),
        ("[3]", b'{"b": 2}', None),
    ]


def test_memory_is_bounded_by_the_limit_not_the_file(tmp_path, monkeypatch):
    """A 4 MB array read with a limit of 10 kB: the text held at any time
    stays under the limit and two chunks."""
    monkeypatch.setattr(runtime, "READ_CHUNK", 4096)
    element = json.dumps({"learner": {"name": "Ä" * 800}, "units": {"u1": {"criteria": {}}}})
    n = 4_000_000 // len(element)
    path = tmp_path / "export.json"
    with path.open("w", encoding="utf-8") as f:
        f.write("[\n")
        f.write(",\n".join([element] * n))
        f.write(', {"cut": "' + "z" * 50_000 + '"}, [' + "[" * 30_000 + "\n]")
    held = []
    more = runtime._Text.more

    def watched(self, keep_from):
        held.append(len(self.buf) - keep_from)
        return more(self, keep_from)

    monkeypatch.setattr(runtime._Text, "more", watched)
    got = inputs(path, limit=10_000)
    assert len(got) == n + 3 and all(data == element.encode() for _, data, _, _ in got[:n])
    assert [p and p[0] for _, _, _, p in got[n:]] == ["V110", "V110", "V100"]  # too long; too long (never closed); the array not closed
    assert path.stat().st_size > 400 * 10_000 and max(held) < 10_000 + 2 * 4096


def test_the_command_checks_an_array_larger_than_the_limit_like_json_lines(tmp_path, capsys):
    """specc validate: an array file larger than --max-bytes is checked, each
    portfolio with the results its line in JSON Lines gets; a bad element is
    reported for itself."""
    example = json.loads((ROOT / "examples" / "cg4411" / "4411-01" / "achieves.json").read_text(encoding="utf-8"))
    lines = [json.dumps(example)] * 5
    lines[2] = '{"qualification": "4411-01", "units": }'
    (tmp_path / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "export.json").write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")
    limit = str(len(lines[0]) + 10)
    got = {}
    for name in ("export.json", "export.jsonl"):
        code = main(["validate", str(CG), str(tmp_path / name), "--format", "jsonl", "--max-bytes", limit, "--as-of", "2026-01-01"])
        out, err = capsys.readouterr()
        assert code == 1 and err == ""
        got[name] = [json.loads(line) for line in out.splitlines()]
    assert [r["source"] for r in got["export.json"]] == [f"{tmp_path / 'export.json'}[{i}]" for i in range(5)]
    assert [r["report"] for r in got["export.json"]] == [r["report"] for r in got["export.jsonl"]]
    verdicts = [r["report"]["verdict"] for r in got["export.json"]]
    assert verdicts == ["achieved", "achieved", "not_achieved", "achieved", "achieved"]
    assert got["export.json"][2]["report"]["findings"][0]["code"] == "V100"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(json_values, min_size=1, max_size=6), cuts=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(
    [b"", b",", b"]", b"[", b"{", b"}", b'"', b"\\", b"\xff", b"\xc3", b" "])), min_size=1, max_size=4), chunk=st.integers(1, 9))
def test_any_damage_is_reported_never_raised(tmp_path, monkeypatch, values, cuts, chunk):
    """An array damaged anywhere (a byte dropped or put in): the reader ends,
    every input it gives has its bytes (at most the limit) or a problem, and
    the elements it gives are in order."""
    monkeypatch.setattr(runtime, "READ_CHUNK", chunk)
    data = bytearray(json.dumps(values, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    for where, put in cuts:
        i = 1 + where % len(data)
        data[i : i + (not put)] = put  # drop a byte, or put some in
    path = tmp_path / "export.json"
    path.write_bytes(bytes(data))
    got = inputs(path, limit=200)
    for label, item, lines, problem in got:
        assert (item is None) != (problem is None) and (item is None or len(item) <= 200)
        (result,) = runtime.results(label, item, lines, problem)
        assert result["report"]["verdict"] in ("achieved", "not_achieved")
    elements = [label for label, *_ in got if label != str(path)]
    if data.lstrip()[:1] == b"[":
        assert elements == [f"{path}[{i}]" for i in range(len(elements))]


def test_a_bad_element_is_known_without_reading_ahead(tmp_path, monkeypatch):
    """An element that is not JSON well before the end of what is read is
    scanned at once, not read on towards the limit in case more text makes
    it JSON (a number or word cut by a chunk is read on)."""
    monkeypatch.setattr(runtime, "READ_CHUNK", 64)
    path = tmp_path / "export.json"
    good = json.dumps({"learner": {"name": "A"}, "units": {}})
    path.write_text("[" + ", ".join(['{"a": tru, "b": 1}', *[good] * 2000, "12345678901234567890"]) + "]", encoding="utf-8")
    held = []
    more = runtime._Text.more

    def watched(self, keep_from):
        held.append(len(self.buf) - keep_from)
        return more(self, keep_from)

    monkeypatch.setattr(runtime._Text, "more", watched)
    got = inputs(path, limit=100_000)
    assert [d for _, d, _, _ in got] == [b'{"a": tru, "b": 1}', *[good.encode()] * 2000, b"12345678901234567890"]
    assert max(held) < 3 * 64
