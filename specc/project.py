"""The project: its root folder and its optional project file ``specc.toml``.

The project root is the nearest folder enclosing a named path that holds a
``specc.toml``; without one, the folder named on the command line (for a
named file, its folder).  Source files are read only inside the root (see
:mod:`specc.source`).  ``specc.toml`` may be empty; every key is optional::

    [imports]
    allow = ["../shared"]        # more folders imports may read (relative to this file)

    [build]
    output = "../outputs"        # default for `specc build -o` (relative to this file)
    emit = ["ir-json", "handbook"]
    style = "ncfe"
    options = { paper = "a4" }   # default --option KEY=VALUE pairs

A key not listed here is an error (a misspelt key would otherwise be
silently ignored).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from attrs import field, frozen

from .source import SourceLoader

PROJECT_FILE = "specc.toml"

_KEYS = {"imports": {"allow"}, "build": {"output", "emit", "style", "options"}}


class ProjectError(ValueError):
    """A ``specc.toml`` that cannot be used (message names the file)."""


@frozen
class Project:
    root: Path
    config: Path | None = None  # the specc.toml, if any
    allow: tuple[Path, ...] = ()
    output: Path | None = None
    emit: tuple[str, ...] = ()
    style: str | None = None
    options: dict[str, str] = field(factory=dict)

    def loader(self, **kw) -> SourceLoader:
        """A :class:`SourceLoader` for this project (``overlay=``, ``revision=``)."""
        return SourceLoader(self.root, allow=self.allow, **kw)


def find_project(path: str | Path) -> Project:
    """The project of a path named on the command line (or opened in an editor)."""
    p = Path(path).absolute()
    start = p if p.is_dir() else p.parent
    return _find(start.resolve(), start)


def project_file(start: Path) -> Path | None:
    """The nearest ``specc.toml`` at or above the folder ``start``, if any:
    the one definition of where a project begins (commands, the language
    server and the search for a part's roots all ask here)."""
    for d in (start, *start.parents):
        f = d / PROJECT_FILE
        if f.is_file():
            return f
    return None


def _find(start: Path, named: Path) -> Project:
    f = project_file(start)
    return load(f) if f is not None else Project(named.resolve())


def load(path: Path) -> Project:
    from .source import SourceError

    try:
        data = SourceLoader(path.parent).fetch(path)
        cfg = tomllib.loads(data.decode("utf-8"))
    except SourceError as e:
        raise ProjectError(f"{path}: cannot read it: {e.reason}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ProjectError(f"{path}: not valid TOML: {e}") from None
    base = path.parent.resolve()

    def table(name: str) -> dict:
        t = cfg.get(name, {})
        if not isinstance(t, dict):
            raise ProjectError(f"{path}: `{name}` must be a table ([{name}])")
        unknown = sorted(set(t) - _KEYS[name])
        if unknown:
            raise ProjectError(f"{path}: unknown key `{name}.{unknown[0]}` (known: {', '.join(sorted(_KEYS[name]))})")
        return t

    unknown = sorted(set(cfg) - set(_KEYS))
    if unknown:
        raise ProjectError(f"{path}: unknown table `{unknown[0]}` (known: {', '.join(sorted(_KEYS))})")
    imports, b = table("imports"), table("build")

    def strings(v, key: str) -> tuple[str, ...]:
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ProjectError(f"{path}: `{key}` must be a list of strings")
        return tuple(v)

    def string(v, key: str) -> str | None:
        if v is not None and not isinstance(v, str):
            raise ProjectError(f"{path}: `{key}` must be a string")
        return v

    opts = b.get("options", {})
    if not isinstance(opts, dict) or not all(isinstance(v, str | int | float | bool) for v in opts.values()):
        raise ProjectError(f"{path}: `build.options` must be a table of KEY = VALUE")
    out = string(b.get("output"), "build.output")
    return Project(
        root=base,
        config=path,
        allow=tuple((base / a).resolve() for a in strings(imports.get("allow", []), "imports.allow")),
        output=(base / out) if out else None,
        emit=strings(b.get("emit", []), "build.emit"),
        style=string(b.get("style"), "build.style"),
        options={str(k): (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in opts.items()},
    )


def loader_for(path: str | Path) -> SourceLoader:
    """The source loader for a file compiled on its own (``compile_file``):
    the project of its folder.  A broken specc.toml confines to the folder."""
    try:
        return find_project(path).loader()
    except ProjectError:
        return SourceLoader(Path(path).absolute().parent)
