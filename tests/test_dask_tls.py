"""``specc validate --engine dask --scheduler tls://...`` against a real
dask.distributed cluster that requires encryption: a scheduler and two worker
processes started as an operator would (``dask scheduler`` / ``dask worker``
with ``--tls-*`` files and ``distributed.comm.require-encryption``), with a
certificate authority and certificates made here with ``cryptography``.

The command runs as a user runs it (a subprocess), with the client's TLS
files given each way the README documents -- the ``--tls-*`` options, the
``DASK_DISTRIBUTED__COMM__TLS__*`` variables and a Dask config file -- and
prints what the local engine prints.  A plain ``tcp://`` client, a
``tls://`` client with no certificates, and clients whose certificates the
cluster's authority did not sign (or who trust another authority) are
refused with one line saying so, never a traceback."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
pytest.importorskip("cryptography")

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

pytestmark = pytest.mark.slow  # a cluster of three processes and a dozen runs of the command

ROOT = Path(__file__).resolve().parent.parent
CG = ROOT / "specs" / "cityandguilds"
EXAMPLES = ROOT / "examples" / "cg4411"


# --------------------------------------------------------------------------- certificates


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _certificate(subject: str, key, issuer: x509.Name, signer, *, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    b = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        b = b.add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
    else:
        b = b.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    return b.sign(signer, hashes.SHA256())


def _write(folder: Path, name: str, key, cert: x509.Certificate) -> None:
    (folder / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / f"{name}-key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def make_certificates(folder: Path) -> None:
    """ca.pem (the cluster's authority) signing cluster.pem and client.pem;
    other-ca.pem, another authority, signing stranger.pem; each with its
    -key.pem."""
    for ca_name, issued in (("ca", ("cluster", "client")), ("other-ca", ("stranger",))):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = _certificate(ca_name, ca_key, _name(ca_name), ca_key, ca=True)
        _write(folder, ca_name, ca_key, ca_cert)
        for name in issued:
            key = ec.generate_private_key(ec.SECP256R1())
            _write(folder, name, key, _certificate(name, key, ca_cert.subject, ca_key, ca=False))


# --------------------------------------------------------------------------- the cluster


def _clean_env(config_dir: Path) -> dict:
    """This environment without Dask settings, its config folder an empty one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
    env["DASK_CONFIG"] = str(config_dir)
    return env


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory):
    """(scheduler address, folder of the certificates, environment for the
    command) of a running cluster: a scheduler and two workers (processes,
    no nanny) that speak TLS only."""
    folder = tmp_path_factory.mktemp("tls")
    make_certificates(folder)
    empty = folder / "no-config"
    empty.mkdir()
    env = _clean_env(empty) | {"DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True"}
    tls = ["--tls-ca-file", folder / "ca.pem", "--tls-cert", folder / "cluster.pem", "--tls-key", folder / "cluster-key.pem"]
    sched_file = folder / "scheduler.json"
    procs: list[subprocess.Popen] = []
    logs = []

    def start(module: str, *args) -> None:
        log = open(folder / f"{len(procs)}.log", "wb")  # noqa: SIM115 - closed after the processes end
        logs.append(log)
        argv = [sys.executable, "-m", f"distributed.cli.{module}", *map(str, args), *map(str, tls)]
        procs.append(subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder))

    try:
        start("dask_scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", sched_file)
        deadline = time.monotonic() + 120
        while not (sched_file.is_file() and sched_file.stat().st_size):
            assert procs[0].poll() is None and time.monotonic() < deadline, (folder / "0.log").read_text(errors="replace")
            time.sleep(0.1)
        address = json.loads(sched_file.read_text(encoding="utf-8"))["address"]
        assert address.startswith("tls://127.0.0.1:")
        for _ in range(2):
            start("dask_worker", "--scheduler-file", sched_file, "--nthreads", "1", "--no-nanny", "--no-dashboard")
        security = distributed.security.Security(
            tls_ca_file=str(folder / "ca.pem"), tls_client_cert=str(folder / "client.pem"),
            tls_client_key=str(folder / "client-key.pem"), require_encryption=True,
        )
        with distributed.Client(address, security=security, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
            assert all(w.startswith("tls://") for w in client.scheduler_info()["workers"])
        yield address, folder, _clean_env(empty)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for log in logs:
            log.close()


# --------------------------------------------------------------------------- the command, as a user runs it


def specc(args: list, env: dict, cwd: Path) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "specc", *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """The cg4411 examples and a JSON Lines batch with bad lines among good ones."""
    folder = tmp_path_factory.mktemp("inputs")
    good = [json.dumps(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(EXAMPLES.rglob("*.json"))]
    lines = [*good[:6], "{not json", '"a string"', "", *good[6:12], "[1, 2]"]
    batch = folder / "batch.jsonl"
    batch.write_bytes("\n".join(lines).encode() + b"\n\xff\xfe not utf-8\n")
    return [EXAMPLES, batch]


@pytest.fixture(scope="module")
def local(tls_cluster, inputs, tmp_path_factory):
    """(exit, stdout, stderr, summary) of the local engine."""
    folder = tmp_path_factory.mktemp("local")
    code, out, err = specc(["validate", CG, *inputs, "--format", "jsonl", "--summary", folder / "s.json"], tls_cluster[2], folder)
    assert code == 1 and err == "" and len(out.splitlines()) > 20
    return code, out, err, json.loads((folder / "s.json").read_text(encoding="utf-8"))


def _config_file(folder: Path, certs: Path) -> Path:
    """A Dask config folder holding one YAML file with the client's TLS files."""
    folder.mkdir()
    (folder / "tls.yaml").write_text(
        "distributed:\n  comm:\n    require-encryption: true\n    tls:\n"
        f"      ca-file: {json.dumps(str(certs / 'ca.pem'))}\n"
        f"      client:\n        cert: {json.dumps(str(certs / 'client.pem'))}\n        key: {json.dumps(str(certs / 'client-key.pem'))}\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize("how", ["options", "environment", "config-file"])
def test_tls_cluster_gives_the_local_results(tls_cluster, inputs, local, tmp_path, how):
    address, certs, env = tls_cluster
    args = ["validate", CG, *inputs, "--format", "jsonl", "--summary", tmp_path / "s.json", "--engine", "dask", "--scheduler", address]
    if how == "options":
        args += ["--tls-ca-file", certs / "ca.pem", "--tls-cert", certs / "client.pem", "--tls-key", certs / "client-key.pem"]
    elif how == "environment":
        env = env | {
            "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(certs / "ca.pem"),
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(certs / "client.pem"),
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(certs / "client-key.pem"),
            "DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True",
        }
    else:
        env = env | {"DASK_CONFIG": str(_config_file(tmp_path / "dask-config", certs))}
    code, out, err = specc(args, env, tmp_path)
    assert (code, out, err) == local[:3]
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8")) == local[3]
    sources = [json.loads(line)["source"] for line in out.splitlines()]
    assert f"{inputs[1]}:7" in sources and f"{inputs[1]}:9" not in sources  # a bad line reported, the blank one skipped


@pytest.mark.parametrize(
    "how, files, message",
    [
        ("tcp", None, "if the cluster requires encryption, use tls://"),
        ("tls", None, "speaks TLS: give the cluster's certificate authority and this client's certificate with --tls-ca-file"),
        ("tls", ("other-ca", "stranger"), "check that the certificate authority given is the one that signed the cluster's certificates"),
        ("tls", ("ca", "stranger"), "check that the certificate authority given is the one that signed the cluster's certificates"),
        ("tls", ("other-ca", "client"), "check that the certificate authority given is the one that signed the cluster's certificates"),
    ],
    ids=["plain-tcp", "tls-without-certificates", "another-authority", "certificate-not-signed-by-the-cluster", "cluster-not-trusted"],
)
def test_clients_the_cluster_does_not_trust_are_refused(tls_cluster, inputs, tmp_path, how, files, message):
    address, certs, env = tls_cluster
    scheduler = address if how == "tls" else "tcp://" + address.removeprefix("tls://")
    args = ["validate", CG, *inputs, "--engine", "dask", "--scheduler", scheduler]
    if files:
        ca, cert = files
        args += ["--tls-ca-file", certs / f"{ca}.pem", "--tls-cert", certs / f"{cert}.pem", "--tls-key", certs / f"{cert}-key.pem"]
    code, out, err = specc(args, env, tmp_path)
    assert code == 2 and out == ""
    assert err.startswith("specc: error: ") and len(err.splitlines()) == 1, err
    assert message in err and "Traceback" not in err
    if how == "tls" and files:
        assert f"cannot reach the Dask scheduler at {address}" in err


def test_build_over_tls_as_local(tls_cluster, tmp_path):
    """``specc build --engine dask`` on the same cluster: the local build's bytes."""
    from tests.test_forms_readback import SPEC

    address, certs, env = tls_cluster
    (tmp_path / "demo.specc").write_text(SPEC, encoding="utf-8")
    base = ["build", "demo.specc", "--emit", "ir-json,portfolio-schema,validator", "-q"]
    tls = ["--tls-ca-file", certs / "ca.pem", "--tls-cert", certs / "client.pem", "--tls-key", certs / "client-key.pem"]
    assert specc([*base, "-o", "local"], env, tmp_path) == (0, "", "")
    assert specc([*base, "-o", "dask", "--engine", "dask", "--scheduler", address, *tls], env, tmp_path) == (0, "", "")
    files = {
        name: {p.relative_to(tmp_path / name).as_posix(): p.read_bytes() for p in sorted((tmp_path / name).rglob("*")) if p.is_file()}
        for name in ("local", "dask")
    }
    assert files["dask"] == files["local"] and any(k.endswith("_validator.py") for k in files["local"])
