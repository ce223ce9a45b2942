"""A dask.distributed LocalCluster for the engine tests: worker processes,
two workers of one thread (one per test module: starting one takes seconds)."""

from __future__ import annotations

import pytest

distributed = pytest.importorskip("distributed")


def local_cluster():
    """Yields (scheduler address, a client of it): the body of each test
    module's module-scoped ``cluster`` fixture."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
    ) as c, distributed.Client(c) as client:
        yield c.scheduler_address, client
