"""``specc build --engine dask``: each spec's emitters as tasks on the
workers of a dask.distributed cluster (the optional extra ``specc[dask]``).

The build is the core's (:func:`specc.build.emit_all`): it plans the jobs,
skips those the manifest says are current, stages each job's files in a
sink of the output folder and commits them there, one job at a time, with
the manifest.  This module is only the ``runner`` it hands the stale jobs
to.  Each compiled spec is scattered to the workers once; a worker runs an
emitter into a :class:`MemorySink` (the sink's path rules, files kept in
memory, since a worker may not see the output folder) and sends the files
back; the client writes them through the job's own sink, which confines
every path again (a worker is not trusted to have done so) -- so the
outputs, the staging and the manifest are exactly those of a local build.

The cluster is reached as for ``specc validate --engine dask``
(:class:`.engine_dask.DaskEngine`: ``--scheduler``, the TLS files, a
LocalCluster of ``--jobs`` workers when no scheduler is named, every
worker's specc version checked).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from distributed import as_completed

from specc import __version__, build, plugins
from specc.sink import Data, UnsafePath, confine, content_key, parts, safe_component, sha256

from .engine_dask import DaskEngine


class MemorySink:
    """A sink that keeps an emitter's files in memory (on a worker): the
    paths are confined as the output folder's sink confines them."""

    name = staticmethod(safe_component)
    key = staticmethod(content_key)

    def __init__(self, out_dir: str, prefix: str):
        self._out = Path(out_dir)
        self._prefix = confine(prefix) if prefix else PurePosixPath()
        self.files: dict[str, bytes] = {}
        self.written: dict[str, str] = {}
        self.keys: dict[str, str] = {}  # output -> what it was made from (see Sink.reuse)

    def write(self, rel: str, data: Data, key: str | None = None) -> str:
        out = self.output_path(rel)
        if out in self.files:
            raise UnsafePath(f"output {out} is written twice")
        data = b"".join(parts(data))  # sent back whole: the client writes it through the job's sink
        self.files[out] = data
        self.written[out] = sha256(data)
        if key is not None:
            self.keys[out] = key
        return out

    def reuse(self, rels, key: str) -> bool:
        """A worker does not see the output folder: it renders everything
        (the client records each output's key, so a later local build can
        keep them)."""
        return False

    def cached(self, rel: str, key: str, render) -> str:
        return self.write(rel, render(), key=key)

    def output_path(self, rel: str) -> str:
        return (self._prefix / confine(rel)).as_posix()

    def state(self):
        return self.written, dict(self.keys), set()

    def final_path(self, rel: str) -> Path:
        return self._out / self._prefix / confine(rel)


def emit_remote(version: str, emitter: plugins.Emitter, spec, out_dir: str, prefix: str, options: dict) -> tuple[dict | None, str | None]:
    """On a worker: (files written, None) or (None, why not)."""
    if version != __version__:
        return None, f"refused by a Dask worker running specc {__version__} (this client runs specc {version}); install the same specc on every worker"
    build._mark_worker()  # an emitter starts no process pool of its own here
    sink = MemorySink(out_dir, prefix)
    written, error = build._run(emitter, spec, sink, options)
    return ((sink.files, sink.keys) if error is None else None), error


class DaskBuildRunner:
    """Runs a build's stale jobs on a Dask cluster (see the module docstring)."""

    def __init__(self, engine: DaskEngine):
        self.engine = engine

    @classmethod
    def connect(cls, address: str | None = None, workers: int | None = None, **tls) -> DaskBuildRunner:
        return cls(DaskEngine.connect(address, workers=workers, **tls))

    def close(self) -> None:
        self.engine.close()

    def __call__(self, tasks: list, options: dict) -> Iterator[tuple[int, dict | None, str | None]]:
        client = self.engine.client
        specs: dict[int, object] = {}
        futures = {}
        # heaviest emitters first, so the workers finish together
        for i, job, sink in sorted(tasks, key=lambda t: -t[1].emitter.weight):
            spec = job.comp.spec
            if id(spec) not in specs:
                specs[id(spec)] = client.scatter(spec, hash=False)
            out_dir = str(getattr(sink, "_out", "."))
            fut = client.submit(emit_remote, __version__, job.emitter, specs[id(spec)], out_dir, job.prefix, options, pure=False, priority=job.emitter.weight)
            futures[fut] = (i, job, sink)
        try:
            for fut in as_completed(futures):
                i, job, sink = futures[fut]
                em = job.emitter
                try:
                    made, error = fut.result()
                    files, keys = made if error is None else ({}, {})
                except Exception as e:  # noqa: BLE001 - a worker lost, or the emitter's result could not be sent
                    files, keys, error = None, {}, str(plugins.PluginError(em.plugin, f"emitter `{em.name}` on a Dask worker", e))
                if error is None:
                    try:
                        base = PurePosixPath(job.prefix)
                        for key in sorted(files):
                            sink.write(PurePosixPath(key).relative_to(base).as_posix(), files[key], key=keys.get(key))
                    except (UnsafePath, ValueError, TypeError) as e:
                        error = f"emitter `{em.name}` on a Dask worker sent an output the sink refuses: {e}"
                yield i, (sink.state() if error is None else None), error
        finally:
            for fut in futures:
                fut.cancel()
            for f in specs.values():
                f.release()
