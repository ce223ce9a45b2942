"""``specc validate --engine dask``: portfolios checked on the workers of a
dask.distributed cluster (the optional extra ``specc[dask]``; nothing else in
specc imports Dask).

The client (``specc validate``) reads the inputs itself, as the local engine
does (:func:`runtime.read_inputs`: a JSON file whole, a JSON array an element
at a time, JSON Lines a line at a time, nothing larger than the size limit
for one portfolio), and sends the bytes to the workers in partitions
(consecutive inputs: a large array is split into ranges of elements);
workers need not see the client's files.  The plan --
every qualification's validator data, plain data -- is scattered to every
worker once; each worker makes a validator module per qualification from it
(the same runtime and data as the standalone module and the local engine)
and keeps them for the partitions that follow.  A partition's outcomes (the
results printed, on the worker) come back in input order; a bounded number
of partitions is in flight at a time, so memory stays bounded however long
the input.

A worker must run the client's specc: the versions are compared when the
client connects (``client.run``) and again by every task (a worker that joins
later), and a mismatch stops the run with a message naming the worker.

``--scheduler tcp://HOST:PORT`` uses an existing cluster; ``tls://HOST:PORT``
with ``--tls-ca-file``, ``--tls-cert`` and ``--tls-key`` (a
:class:`distributed.security.Security` requiring encryption), or with
Dask's own configuration (``distributed.comm.tls.*`` in a Dask config file or
``DASK_DISTRIBUTED__COMM__TLS__CA_FILE`` and the like) when they are not
given; a tls:// scheduler with neither is refused before connecting, and a
refused connection says what to check (TLS for a tcp:// address, the
authority and certificates for a tls:// one).  With no scheduler a LocalCluster of ``--jobs`` worker processes (one
thread each) is started for the run and closed after it.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import threading
import uuid
from collections.abc import Iterable, Iterator

from attrs import evolve
from distributed import Client, LocalCluster  # the import fails here, not later, without the dask extra

from .engine import Checker, EngineError, Outcome, Plan, Record

PARTITION_INPUTS = 1000  # inputs in one task at most
PARTITION_BYTES = 8 * 1024 * 1024  # and bytes of input at most (an input as large as that is a task of its own)
CONNECT_TIMEOUT = "20s"


class WorkerVersionError(RuntimeError):
    """Raised by a task on a worker that runs another specc than the client."""


# --------------------------------------------------------------------------- on a worker

_CHECKERS: collections.OrderedDict = collections.OrderedDict()  # plan token -> Checker (the last few plans)
_LOCK = threading.Lock()


def worker_version() -> str:
    """The specc a worker runs (called there by ``client.run``)."""
    from specc import __version__

    return __version__


def check_partition(setup: tuple[str, Plan], records: list[Record]) -> list[Outcome]:
    """The outcomes of a partition of inputs, on a worker: ``setup`` is
    (token, plan), scattered once; the worker's checker for it is made by
    the first partition and kept."""
    from specc import __version__

    token, plan = setup
    if plan.version != __version__:
        where = ""
        with contextlib.suppress(ValueError, ImportError):
            from distributed import get_worker

            where = f" {get_worker().address}"
        raise WorkerVersionError(f"Dask worker{where} runs specc {__version__}, but this client runs specc {plan.version}")
    with _LOCK:
        checker = _CHECKERS.get(token)
        if checker is None:
            checker = _CHECKERS[token] = Checker(plan)
            while len(_CHECKERS) > 4:
                _CHECKERS.popitem(last=False)
    return checker.outcomes_of(records)


# --------------------------------------------------------------------------- on the client


def partitions(inputs: Iterable[Record], most: int | None = None, most_bytes: int | None = None) -> Iterator[list[Record]]:
    """Consecutive inputs in lists of at most ``most`` inputs and about
    ``most_bytes`` bytes (an input larger than that is a list of its own);
    defaults: PARTITION_INPUTS and PARTITION_BYTES."""
    most = most or PARTITION_INPUTS
    most_bytes = most_bytes or PARTITION_BYTES
    batch: list[Record] = []
    size = 0
    for rec in inputs:
        n = len(rec[1] or b"")
        if batch and (len(batch) >= most or size + n > most_bytes):
            yield batch
            batch, size = [], 0
        batch.append(rec)
        size += n
    if batch:
        yield batch


def _security(address: str | None, ca: str | None, cert: str | None, key: str | None):
    """A Security for the TLS files given (None: Dask's configuration)."""
    if not (ca or cert or key):
        return None
    if address is None or not address.startswith("tls://"):
        raise EngineError("--tls-ca-file, --tls-cert and --tls-key are for a tls:// --scheduler")
    for flag, path in (("--tls-ca-file", ca), ("--tls-cert", cert), ("--tls-key", key)):
        if path is not None and not os.path.isfile(path):
            raise EngineError(f"{flag}: no such file: {path}")
    if not (ca and cert):
        raise EngineError("a tls:// scheduler needs --tls-ca-file and --tls-cert (and --tls-key unless the certificate file holds the key)")
    from distributed.security import Security

    return Security(tls_ca_file=ca, tls_client_cert=cert, tls_client_key=key, require_encryption=True)


TLS_FILES = "--tls-ca-file, --tls-cert and --tls-key, or Dask's configuration (distributed.comm.tls.ca-file, distributed.comm.tls.client.cert and .key)"


def _tls_configured(address: str) -> None:
    """Refuse a tls:// scheduler when neither the options nor Dask's
    configuration name the certificate files (Dask would say only that it
    has no SSL context)."""
    from distributed.security import Security

    sec = Security()  # from Dask's configuration: config files and DASK_* variables
    if not (sec.tls_ca_file and sec.tls_client_cert):
        raise EngineError(f"the scheduler {address} speaks TLS: give the cluster's certificate authority and this client's certificate with {TLS_FILES}")


def _hint(address: str | None, error: BaseException) -> str:
    """What to check after a failed connection: TLS where the scheduler
    wants it, certificates the other side trusts."""
    if address is None:
        return ""
    text = f"{type(error).__name__} {error}".lower()
    if address.startswith("tcp://") and ("reset" in text or "closed" in text or "timed out" in text or "timeout" in text):
        return f"; if the cluster requires encryption, use tls://{address[len('tcp://'):]} with {TLS_FILES}"
    if address.startswith("tls://") and ("ssl" in text or "certificate" in text or "tls" in text):
        return (
            "; check that the certificate authority given is the one that signed the cluster's certificates, "
            "and that the cluster's authority signed this client's certificate"
        )
    return ""


class DaskEngine:
    """Checks inputs on the workers of a dask.distributed cluster."""

    name = "dask"

    def __init__(self, client, cluster=None, in_flight: int | None = None):
        self.client = client
        self.cluster = cluster
        self.in_flight = in_flight

    @classmethod
    def connect(
        cls,
        address: str | None = None,
        workers: int | None = None,
        tls_ca_file: str | None = None,
        tls_cert: str | None = None,
        tls_key: str | None = None,
    ) -> DaskEngine:
        """A client of the cluster at ``address`` (a new LocalCluster of
        ``workers`` processes when None), its workers' versions checked."""
        security = _security(address, tls_ca_file, tls_cert, tls_key)
        if security is None and address is not None and address.startswith("tls://"):
            _tls_configured(address)
        cluster = None
        quiet = _quiet()
        try:
            if address is None:
                n = workers or os.cpu_count() or 1
                cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR)
                client = Client(cluster)
            else:
                client = Client(address, security=security, timeout=CONNECT_TIMEOUT) if security else Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError, TypeError) as e:
            if cluster is not None:
                cluster.close()
            quiet.close()
            raise EngineError(f"cannot reach the Dask scheduler at {address or 'a new local cluster'}: {e}{_hint(address, e)}") from e
        engine = cls(client, cluster)
        engine._quiet = quiet
        try:
            engine.check_versions()
        except BaseException:
            engine.close()
            raise
        return engine

    def check_versions(self) -> None:
        """Refuse a cluster with no workers, or with a worker that cannot run
        specc or runs another version of it than this client."""
        from specc import __version__

        try:
            self.client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (TimeoutError, OSError) as e:
            raise EngineError(f"the Dask cluster at {self.client.scheduler.address} has no workers") from e
        try:
            got = self.client.run(worker_version)
        except Exception as e:  # noqa: BLE001 - a worker without specc cannot even unpickle the call
            raise EngineError(
                f"the Dask workers cannot run specc ({type(e).__name__}: {e}); install specc {__version__} with the dask extra on every worker"
            ) from e
        other = {addr: v for addr, v in sorted(got.items()) if v != __version__}
        if other:
            listed = ", ".join(f"{addr} runs specc {v}" for addr, v in other.items())
            raise EngineError(f"refusing the Dask cluster: this client runs specc {__version__}, but worker {listed}; install the same specc on every worker")

    def _window(self) -> int:
        if self.in_flight:
            return self.in_flight
        n = len(self.client.scheduler_info(n_workers=-1).get("workers", {})) if hasattr(self.client, "scheduler_info") else 1
        return max(2, 3 * max(1, n))

    def outcomes(self, plan: Plan, inputs: Iterable[Record]) -> Iterator[Outcome]:
        """Every input's outcomes, in input order, checked on the workers."""
        plan = evolve(plan, models=plan.every_model())
        setup = self.client.scatter([(uuid.uuid4().hex, plan)], broadcast=True, hash=False)[0]
        window = self._window()
        pending: collections.deque = collections.deque()
        try:
            for part in partitions(inputs):
                pending.append(self.client.submit(check_partition, setup, part, pure=False))
                if len(pending) >= window:
                    yield from self._result(pending.popleft())
            while pending:
                yield from self._result(pending.popleft())
        finally:
            for fut in pending:
                fut.cancel()
            setup.release()

    def _result(self, fut) -> list[Outcome]:
        try:
            return fut.result()
        except WorkerVersionError as e:
            raise EngineError(f"refusing the Dask cluster: {e}; install the same specc on every worker") from e
        except Exception as e:  # noqa: BLE001 - a worker lost (KilledWorker), a cluster gone: said, not a traceback
            raise EngineError(f"the Dask cluster failed: {type(e).__name__}: {e}") from e

    _quiet = None

    def close(self) -> None:
        try:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()
        finally:
            if self._quiet is not None:
                self._quiet.close()


class _quiet:
    """Distributed's loggers at ERROR while a cluster starts and stops (its
    INFO and WARNING lines are not the user's business)."""

    def __init__(self) -> None:
        self.saved = {}
        for name in ("distributed", "distributed.worker", "distributed.scheduler", "distributed.nanny", "distributed.core"):
            log = logging.getLogger(name)
            self.saved[name] = log.level
            log.setLevel(logging.ERROR)

    def close(self) -> None:
        for name, level in self.saved.items():
            logging.getLogger(name).setLevel(level)
