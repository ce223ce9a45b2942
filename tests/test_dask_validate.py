"""``specc validate --engine dask`` on a real dask.distributed LocalCluster
(worker processes, two workers of one thread): the same results, summary and
exit status as the local engine on the examples and on generated portfolios
with bad inputs among them; a worker of another specc version is refused.

One cluster for the module (starting one takes seconds); the command reaches
it through ``--scheduler`` as it would a remote cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from specc import __version__, build  # noqa: E402
from specc.cli import main  # noqa: E402
from specc_plugins.export import engine_dask, examples  # noqa: E402
from specc_plugins.export.command import make_plan  # noqa: E402
from specc_plugins.export.engine import EngineError, LocalEngine  # noqa: E402
from tests.dask_helpers import local_cluster  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    yield from local_cluster()

ROOT = Path(__file__).resolve().parent.parent
CG = ROOT / "specs" / "cityandguilds"


@pytest.fixture(scope="module")
def cg_spec():
    comp = build.compile_all([CG])[0]
    assert comp.ok
    return comp.spec


def run(argv, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def both(argv, cluster, capsys, tmp_path) -> tuple[tuple, tuple]:
    """(exit, stdout, stderr, summary) of the local engine and of Dask."""
    got = []
    for engine in ("local", "dask"):
        summary = tmp_path / f"summary-{engine}.json"
        extra = ["--summary", summary] + (["--engine", "dask", "--scheduler", cluster[0]] if engine == "dask" else [])
        code, out, err = run([*argv, *extra], capsys)
        got.append((code, out, err, json.loads(summary.read_text(encoding="utf-8"))))
    return got[0], got[1]


@pytest.fixture
def small_partitions(monkeypatch):
    """Partitions of a few inputs and few in flight, so that a short batch
    crosses many tasks and the order is put back together."""
    monkeypatch.setattr(engine_dask, "PARTITION_INPUTS", 7)


def test_examples_as_local(cluster, capsys, tmp_path, small_partitions):
    """Every example portfolio (a folder of folders of JSON files, the
    reports among them)."""
    folders = [ROOT / "examples" / "cg4411"]
    local, dask = both(["validate", CG, *folders, "--format", "jsonl"], cluster, capsys, tmp_path)
    assert dask == local
    code, out, _, summary = local
    assert code == 1
    files = sorted(p for p in folders[0].rglob("*.json"))
    assert [json.loads(line)["source"] for line in out.splitlines()] == [str(p) for p in files]
    achieving = [p for p in files if p.name == "achieves.json"]
    assert summary["achieved"] == len(achieving) == 4
    assert set(summary["qualifications"]) == {p.parent.name for p in achieving}


def _bad_batch(spec, tmp_path) -> list[Path]:
    """Generated portfolios in JSON Lines with bad lines among them, a JSON
    array, a file that is not JSON and one over the size limit."""
    generated = list(examples.batch_lines(spec, 60))
    lines = list(generated)
    lines[3] = "{not json"
    lines[10] = '"a string"'
    lines[17] = "[1, 2]"
    lines.insert(20, "")
    lines[25] = lines[25][:40]
    lines[30] = '{"qualification": "nope", "units": {}}'
    lines.append(json.dumps({"qualification": "4411-01", "learner": {"name": "x" * 300000}}))
    jsonl = tmp_path / "batch.jsonl"
    jsonl.write_bytes("\n".join(lines).encode() + b"\n\xff\xfe not utf-8\n")
    array = tmp_path / "array.json"
    array.write_text("[" + ",".join(generated[:8]) + "]", encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    return [jsonl, array, broken]


def test_generated_with_bad_lines_as_local(cluster, cg_spec, capsys, tmp_path, small_partitions):
    paths = _bad_batch(cg_spec, tmp_path)
    local, dask = both(["validate", CG, *paths, "--format", "jsonl", "--max-bytes", "200000"], cluster, capsys, tmp_path)
    assert dask == local
    code, out, err, summary = dask
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and err == ""
    assert len(results) == summary["portfolios"] == 60 + 2 + 8 + 1
    by_source = {r["source"]: r["report"] for r in results}
    jsonl = paths[0]
    assert by_source[f"{jsonl}:4"]["findings"][0]["code"] == "V100"
    assert by_source[f"{jsonl}:26"]["findings"][0]["code"] == "V100"
    assert by_source[f"{jsonl}:62"]["findings"][0]["code"] == "V110"
    assert by_source[f"{jsonl}:63"]["findings"][0]["code"] == "V100"  # not UTF-8
    assert by_source[str(paths[2])]["findings"][0]["code"] == "V100"
    assert f"{jsonl}:21" not in by_source  # the blank line, its number kept
    assert any("is not a qualification of cg4411" in f["message"] for f in by_source[f"{jsonl}:31"]["findings"])
    assert summary["achieved"] > 0 and summary["not_achieved"] > 0
    counted = {}
    for rep in by_source.values():
        for f in rep["findings"]:
            counted[f["code"]] = counted.get(f["code"], 0) + 1
    merged = {}
    for q in summary["qualifications"].values():
        for code_, n in q["findings"].items():
            merged[code_] = merged.get(code_, 0) + n
    assert merged == counted and {"V100", "V110"} <= set(merged)


def test_an_array_file_across_tasks_as_local(cluster, cg_spec, capsys, tmp_path, small_partitions):
    """A JSON file holding an array of generated portfolios, larger than
    --max-bytes (each element has the limit of one portfolio), a bad element
    and one over the limit among them: split into element ranges across
    tasks, with the local engine's results in input order."""
    from specc_plugins.export.command import records

    elements = list(examples.batch_lines(cg_spec, 40))
    limit = max(len(e.encode()) for e in elements) + 100
    elements[5] = '{"qualification": "4411-01", "units": }'
    elements[12] = json.dumps({"qualification": "4411-01", "learner": {"name": "x" * limit}})
    array = tmp_path / "export.json"
    array.write_text("[\n" + ",\n".join(elements) + "\n]\n", encoding="utf-8")
    assert array.stat().st_size > 10 * limit
    assert len(list(engine_dask.partitions(records([str(array)], limit)))) == 6  # 40 elements, 7 a task
    local, dask = both(["validate", CG, array, "--format", "jsonl", "--max-bytes", limit], cluster, capsys, tmp_path)
    assert dask == local
    code, out, err, summary = dask
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and err == "" and summary["portfolios"] == 40
    assert [r["source"] for r in results] == [f"{array}[{i}]" for i in range(40)]
    first = {i: r["report"]["findings"][0]["code"] for i, r in enumerate(results) if r["report"]["findings"]}
    assert first[5] == "V100" and first[12] == "V110"
    assert not {"V100", "V110"} & {code_ for i, code_ in first.items() if i not in (5, 12)}
    assert summary["achieved"] > 0


def test_engine_streams_in_order(cluster, cg_spec):
    """The engine object: outcomes in input order across many partitions,
    a few in flight at a time, equal to the local engine's."""
    lines = list(examples.batch_lines(cg_spec, 40))
    recs = [(f"in:{i}", line.encode(), True, None) for i, line in enumerate(lines)]
    plan = make_plan(cg_spec, "2026-01-01", "json")
    engine = engine_dask.DaskEngine(cluster[1], in_flight=2)
    parts = list(engine_dask.partitions(recs, most=3))
    assert [len(p) for p in parts] == [3] * 13 + [1]
    old = engine_dask.PARTITION_INPUTS
    try:
        engine_dask.PARTITION_INPUTS = 3
        got = list(engine.outcomes(plan, recs))
    finally:
        engine_dask.PARTITION_INPUTS = old
    assert got == list(LocalEngine(1).outcomes(plan, recs))
    assert [json.loads(o.text)["source"] for o in got] == [r[0] for r in recs]


def test_partitions_bound_bytes():
    recs = [(str(i), b"x" * 400, True, None) for i in range(10)] + [("big", b"y" * 5000, False, None), ("after", b"{}", False, None)]
    parts = list(engine_dask.partitions(recs, most=100, most_bytes=1000))
    assert [[r[0] for r in p] for p in parts] == [["0", "1"], ["2", "3"], ["4", "5"], ["6", "7"], ["8", "9"], ["big"], ["after"]]


def test_worker_of_another_version_is_refused(cluster, cg_spec, capsys, tmp_path):
    address, client = cluster
    good = tmp_path / "one.jsonl"
    good.write_text(next(examples.batch_lines(cg_spec, 1)) + "\n", encoding="utf-8")
    worker = sorted(client.scheduler_info()["workers"])[0]
    client.run(exec, "import specc; specc.__version__ = '0.0.0-other'", workers=[worker])
    try:
        code, out, err = run(["validate", CG, good, "--engine", "dask", "--scheduler", address], capsys)
        # and a task on such a worker (one that joins after the check) refuses to run
        plan = make_plan(cg_spec, None)
        engine = engine_dask.DaskEngine(client)
        recs = [("x", good.read_bytes(), True, None)]
        with pytest.raises(EngineError) as e:
            futs = [client.submit(engine_dask.check_partition, ("t", plan), recs, workers=[worker], pure=False)]
            engine._result(futs[0])
    finally:
        client.run(exec, f"import specc; specc.__version__ = {__version__!r}", workers=[worker])
    assert code == 2 and out == ""
    assert f"this client runs specc {__version__}, but worker {worker} runs specc 0.0.0-other" in err
    assert "install the same specc on every worker" in err and "Traceback" not in err
    assert f"Dask worker {worker} runs specc 0.0.0-other, but this client runs specc {__version__}" in str(e.value)
    # restored: the same cluster is accepted again
    code, out, err = run(["validate", CG, good, "--engine", "dask", "--scheduler", address, "--format", "jsonl"], capsys)
    assert code == 0 and len(out.splitlines()) == 1


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--tls-cert", "{pem}"], "--tls-cert needs --engine dask"),
        (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--tls-ca-file", "{pem}", "--tls-cert", "{pem}"], "are for a tls:// --scheduler"),
        (["--engine", "dask", "--scheduler", "tls://127.0.0.1:8786", "--tls-ca-file", "{missing}", "--tls-cert", "{pem}"], "--tls-ca-file: no such file"),
        (["--engine", "dask", "--scheduler", "tls://127.0.0.1:8786", "--tls-key", "{pem}"], "needs --tls-ca-file and --tls-cert"),
    ],
)
def test_tls_usage_errors(cg_spec, capsys, tmp_path, extra, message):
    pem = tmp_path / "x.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    good = tmp_path / "one.json"
    good.write_text("{}", encoding="utf-8")
    names = {"pem": pem, "missing": tmp_path / "missing.pem"}
    code, out, err = run(["validate", CG, good, *[a.format(**names) for a in extra]], capsys)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_tls_files_make_a_security(tmp_path):
    """--tls-ca-file/--tls-cert/--tls-key are dask's Security, encryption required."""
    ca, cert, key = (tmp_path / n for n in ("ca.pem", "cert.pem", "key.pem"))
    for p in (ca, cert, key):
        p.write_text("pem", encoding="utf-8")
    sec = engine_dask._security("tls://scheduler:8786", str(ca), str(cert), str(key))
    assert isinstance(sec, distributed.security.Security)
    assert (sec.tls_ca_file, sec.tls_client_cert, sec.tls_client_key, sec.require_encryption) == (str(ca), str(cert), str(key), True)
    assert engine_dask._security("tls://scheduler:8786", None, None, None) is None  # dask's own configuration


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_examples_as_local_in_every_format(cluster, capsys, tmp_path, fmt):
    local, dask = both(["validate", CG, ROOT / "examples", "--format", fmt], cluster, capsys, tmp_path)
    assert dask == local


@pytest.mark.slow
def test_a_local_cluster_of_its_own(cg_spec, capsys, tmp_path):
    """No --scheduler: the command starts a LocalCluster of --jobs workers and closes it."""
    paths = _bad_batch(cg_spec, tmp_path)
    local = run(["validate", CG, *paths, "--format", "json"], capsys)
    dask = run(["validate", CG, *paths, "--format", "json", "--engine", "dask", "--jobs", "2"], capsys)
    assert dask == local


@pytest.mark.slow
def test_no_scheduler_there(cg_spec, capsys, tmp_path):
    good = tmp_path / "one.json"
    good.write_text("{}", encoding="utf-8")
    code, out, err = run(["validate", CG, good, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"], capsys)
    assert code == 2 and out == "" and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err and "Traceback" not in err
