"""``specc build --engine dask`` on a real LocalCluster: the same files and
manifest as a local build, a rebuild that the manifest makes a no-op, and
a worker's outputs confined by the client's sink."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from specc import __version__, build, plugins  # noqa: E402
from specc.cli import main  # noqa: E402
from specc.sink import MANIFEST, UnsafePath  # noqa: E402
from specc_plugins.export import build_dask  # noqa: E402
from tests.dask_helpers import local_cluster  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    yield from local_cluster()

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import synth  # noqa: E402

EMIT = ["--emit", "ir-json,portfolio-schema,validator,handbook"]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _as_local(cluster, tmp_path, capsys, paths, emit, specs):
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert main(["build", *paths, *emit, "-o", str(local), "-j", "1", "-q"]) == 0
    assert main(["build", *paths, *emit, "-o", str(dask), "-q", "--engine", "dask", "--scheduler", cluster[0]]) == 0
    got = tree(dask)
    assert got == tree(local)
    assert not [p for p in dask.iterdir() if p.name.startswith(".specc-staging")]
    jobs = specs * len(emit[1].split(","))
    assert len(json.loads(got[MANIFEST])["entries"]) == jobs
    capsys.readouterr()
    # nothing changed: the manifest skips every job, whichever engine built it
    assert main(["build", *paths, *emit, "-o", str(dask), "--engine", "dask", "--scheduler", cluster[0]]) == 0
    assert f"0 files written, {jobs} emitter runs unchanged" in capsys.readouterr().err
    assert tree(dask) == got
    return got


@pytest.mark.slow  # a real cluster builds a catalogue; test_catalogue_as_local (slow) covers more, the fast suite keeps the worker seams below
def test_specs_as_local(cluster, tmp_path, capsys):
    synth.write(4, tmp_path / "catalogue" / "synth4")
    paths = [str(ROOT / "specs" / "ncfe"), str(tmp_path / "catalogue")]
    got = _as_local(cluster, tmp_path, capsys, paths, ["--emit", "ir-json,validator"], 2)
    assert "synth4/validators/q4_validator.py" in got and "ncfe_601_3972_9/ir.json" in got


@pytest.mark.slow
def test_catalogue_as_local(cluster, tmp_path, capsys):
    """A catalogue of specs (the seeds' and three synthetic ones), each
    spec's emitters as tasks, the handbook among them."""
    cat = tmp_path / "catalogue"
    for n in (3, 5, 8):
        synth.write(n, cat / f"synth{n}")
    paths = [str(ROOT / "specs" / "cityandguilds"), str(ROOT / "specs" / "ncfe"), str(cat)]
    got = _as_local(cluster, tmp_path, capsys, paths, EMIT[:2], 5)
    assert "synth8/validators/q8_validator.py" in got and "cg4411/ir.json" in got


def test_memory_sink_confines_like_the_sink(tmp_path):
    sink = build_dask.MemorySink(str(tmp_path), "doc")
    assert sink.write("a/b.txt", "x") == "doc/a/b.txt" and sink.files == {"doc/a/b.txt": b"x"}
    for bad in ("../escape.txt", "/etc/passwd", "a//b", "C:/x"):
        with pytest.raises(UnsafePath):
            sink.write(bad, "x")
    with pytest.raises(UnsafePath):
        sink.write("a/b.txt", "again")
    assert sink.final_path("a/b.txt") == tmp_path / "doc" / "a" / "b.txt"


def test_memory_sink_takes_an_output_in_parts(tmp_path):
    """What the output folder's sink takes, an iterable of parts, the memory
    sink takes too (the portfolio schema is written so): the same bytes and digest."""
    whole, streamed = build_dask.MemorySink(str(tmp_path), "doc"), build_dask.MemorySink(str(tmp_path), "doc")
    whole.write("s.json", "{\n  \"é\": 1\n}\n")
    streamed.write("s.json", iter(["{\n", b'  "\xc3\xa9"', ": 1\n}\n"]))
    assert streamed.files == whole.files == {"doc/s.json": '{\n  "é": 1\n}\n'.encode()}
    assert streamed.written == whole.written


def test_a_worker_of_another_version_writes_nothing(tmp_path):
    comp = build.compile_all([ROOT / "specs" / "ncfe"])[0]
    em = plugins.emitters()["ir-json"]
    files, error = build_dask.emit_remote("0.0.0-other", em, comp.spec, str(tmp_path), "x", {})
    assert files is None and f"running specc {__version__} (this client runs specc 0.0.0-other)" in error
    files, error = build_dask.emit_remote(__version__, em, comp.spec, str(tmp_path), "x", {})
    assert error is None and list(files[0]) == ["x/ir.json"]


def test_files_a_worker_sends_are_confined_again(tmp_path, monkeypatch):
    """The client writes a worker's files through the job's sink: a path the
    sink refuses fails that job, and nothing of it is written."""

    class Fut:
        def __init__(self, value):
            self.value = value

        def result(self):
            return self.value

        def cancel(self):
            pass

        def release(self):
            pass

    class Client:
        def scatter(self, spec, hash=False):
            return Fut(spec)

        def submit(self, *a, **k):
            return Fut((({"x/../../evil.txt": b"no"}, {}), None))

    class Engine:
        client = Client()

    comp = build.compile_all([ROOT / "specs" / "ncfe"])[0]
    em = plugins.emitters()["ir-json"]
    folder = build.OutputFolder(tmp_path / "out")
    job = build.plan(comp, [em], {})[0]
    sink = folder.begin(job.prefix)
    runner = build_dask.DaskBuildRunner(Engine())
    monkeypatch.setattr(build_dask, "as_completed", lambda futs: list(futs))  # the fake futures are done
    [(i, written, error)] = list(runner([(0, job, sink)], {}))
    assert i == 0 and written is None and "sent an output the sink refuses" in error
    folder.discard(sink)
    assert not (tmp_path / "evil.txt").exists() and [p.name for p in (tmp_path / "out").iterdir()] == []


def test_a_failing_emitter_is_said_as_locally(cluster, tmp_path, capsys):
    """An emitter that fails on a worker (here: an option it refuses) fails
    its job as it would locally, and nothing of it is written."""
    ncfe = str(ROOT / "specs" / "ncfe")
    argv = ["build", ncfe, "--emit", "validator", "--option", "qualification=nope", "-q"]
    got = []
    for extra in (["-o", str(tmp_path / "local"), "-j", "1"], ["-o", str(tmp_path / "dask"), "--engine", "dask", "--scheduler", cluster[0]]):
        code = main([*argv, *extra])
        got.append((code, capsys.readouterr().err.splitlines()[-1]))
    assert got[0] == got[1]
    assert got[0][0] == 2 and "invalid option for emitter `validator`: no qualification 'nope'" in got[0][1]
    assert not list((tmp_path / "dask").rglob("*.py"))


def test_scheduler_needs_the_dask_engine(tmp_path, capsys):
    code = main(["build", str(ROOT / "specs" / "ncfe"), "--emit", "ir-json", "-o", str(tmp_path), "--scheduler", "tcp://127.0.0.1:8786"])
    assert code == 2 and "--scheduler needs --engine dask" in capsys.readouterr().err
