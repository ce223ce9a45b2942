"""A sink writes an output given as an iterable of parts (text or bytes) as
it comes: the same bytes, digest and manifest as the whole written at once,
and all-or-nothing -- parts that fail part-way leave no file, staged or
temporary, and no record."""

from __future__ import annotations

import json

import pytest

from specc.sink import MANIFEST, OutputFolder, parts, sha256

TEXT = "first line é\n" + "".join(f"part {i}\n" for i in range(1000))


def _pieces():
    yield TEXT[:5]
    yield TEXT[5:17].encode("utf-8")  # bytes and text may mix
    for i in range(17, len(TEXT), 97):
        yield TEXT[i : i + 97]


def _build(tmp_path, name, data):
    folder = OutputFolder(tmp_path / name)
    sink = folder.begin("doc")
    rel = sink.write("sub/out.txt", data, key="k")
    folder.commit(sink, "doc:x", "inputs")
    return folder, rel


def test_streamed_write_is_the_whole_write(tmp_path):
    whole, rel = _build(tmp_path, "whole", TEXT)
    streamed, rel2 = _build(tmp_path, "streamed", _pieces())
    assert rel == rel2 == "doc/sub/out.txt"
    data = (tmp_path / "streamed" / rel).read_bytes()
    assert data == (tmp_path / "whole" / rel).read_bytes() == TEXT.encode("utf-8")
    m1 = json.loads((tmp_path / "whole" / MANIFEST).read_text())
    m2 = json.loads((tmp_path / "streamed" / MANIFEST).read_text())
    assert m1 == m2
    assert m2["entries"]["doc:x"]["outputs"] == {rel: sha256(data)}


def _failing():
    yield "some text\n" * 10_000
    raise RuntimeError("the emitter failed part-way")


def test_streamed_write_that_fails_leaves_nothing(tmp_path):
    folder, rel = _build(tmp_path, "out", "earlier\n")
    before = json.loads((tmp_path / "out" / MANIFEST).read_text())
    sink = folder.begin("doc")
    with pytest.raises(RuntimeError):
        sink.write("sub/out.txt", _failing())
    assert sink.written == {}
    staged = [p for p in sink._staging.rglob("*") if p.is_file()]
    assert staged == []  # no partial file
    # the same output can then be written whole
    sink.write("sub/out.txt", "again\n")
    folder.discard(sink)  # the emitter failed: its run is dropped
    # no staging folder or temporary file left; the earlier output untouched
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".specc-manifest.json", "doc"]
    assert (tmp_path / "out" / rel).read_bytes() == b"earlier\n"
    assert json.loads((tmp_path / "out" / MANIFEST).read_text()) == before


def test_parts_refuse_what_is_not_text_or_bytes(tmp_path):
    assert b"".join(parts(["a", b"b", bytearray(b"c")])) == b"abc"
    assert list(parts("é")) == ["é".encode()]
    folder = OutputFolder(tmp_path)
    sink = folder.begin("doc")
    with pytest.raises(TypeError):
        sink.write("x.txt", ["a", 1])
    assert sink.written == {}
    folder.discard(sink)


def test_a_zip_member_rewritten_part_by_part_is_the_member_rewritten_whole():
    """``normalise_zip``'s ``(size, parts)`` rewrite (an ODT's content.xml,
    never whole) writes the bytes ``writestr`` writes for the whole."""
    import io
    import zipfile

    from specc.sink import normalise_zip

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/x-test")
        z.writestr("content.xml", "<doc>" + "<p>é text</p>" * 5000 + "</doc>")
        z.writestr("meta.xml", "<meta/>")
    new = "<doc>" + "<p>é new text</p>" * 5000 + "</doc>"
    whole = normalise_zip(buf.getvalue(), {"content.xml": lambda data: new.encode()})
    chunks = [c.encode() for c in (new[:7], new[7:30000], new[30000:])]
    parted = normalise_zip(buf.getvalue(), {"content.xml": lambda data: (sum(map(len, chunks)), iter(chunks))})
    assert parted == whole
    assert zipfile.ZipFile(io.BytesIO(parted)).read("content.xml") == new.encode()
