"""Plugin discovery and the emitter registry (pluggy, ``specc`` entry points)."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import Any

import attrs
import pluggy
from attrs import field, frozen

from . import hookspecs
from .diagnostics import Diagnostic

ENTRY_POINT_GROUP = "specc"


@frozen
class Emitter:
    name: str
    description: str
    produces: str
    emit: Callable[..., None] = field(eq=False, repr=False)
    plugin: str = field(default="", eq=False)
    version: str = "1"  # bump to invalidate manifest entries when output changes
    weight: int = 1  # rough relative cost; heavier emitters are started first in a parallel build
    options: tuple[str, ...] = ()  # the ``--option KEY=VALUE`` keys it reads (``specc build`` refuses others)


@frozen
class HandbookStyle:
    name: str
    bodies: tuple[str, ...]
    description: str
    render: Callable[..., Any] = field(eq=False, repr=False)
    plugin: str = field(default="", eq=False)


@frozen
class FormStyle:
    name: str
    bodies: tuple[str, ...]
    description: str
    render: Callable[..., Any] = field(eq=False, repr=False)
    plugin: str = field(default="", eq=False)


def _styles(hook, what: str, pm=None) -> dict[str, Any]:
    pm = pm or manager()
    out: dict[str, Any] = {}
    for impl in getattr(pm.hook, hook).get_hookimpls():
        try:
            got = impl.function() or []
        except Exception as e:
            raise PluginError(impl.plugin_name, hook, e) from e
        for st in got:
            if st.name in out:
                raise PluginError(impl.plugin_name, hook, ValueError(f"{what} `{st.name}` is already registered"))
            out[st.name] = attrs.evolve(st, plugin=impl.plugin_name)
    return dict(sorted(out.items()))


def handbook_styles(pm=None) -> dict[str, HandbookStyle]:
    return _styles("specc_handbook_styles", "handbook style", pm)


def form_styles(pm=None) -> dict[str, FormStyle]:
    return _styles("specc_form_styles", "form style", pm)


def style_for(styles: dict, spec, requested: str | None = None):
    """The style named ``requested``, else the one whose bodies include the
    spec's body, else None."""
    if requested:
        return styles.get(requested)
    body = spec.document.body.id
    for st in styles.values():
        if body in st.bodies:
            return st
    return None


class OptionError(ValueError):
    """An emitter option (``--option``, ``--style``) the emitter cannot use:
    reported as a usage error (exit 2), not as a plugin failure."""


class CannotShow(Exception):
    """A house style cannot show part of a spec (a unit, a set of evidence
    requirements): the emitter writes nothing and the build fails (exit 1),
    naming what the style cannot show."""

    def __init__(self, emitter: str, style: str, missing: list[str]):
        self.missing = missing
        shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        super().__init__(f"the {emitter} style `{style}` cannot show {shown}; choose another --style")


def list_option(options: dict, key: str, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    """A comma-separated emitter option (``--option formats=html,pdf``),
    checked against ``allowed``; all of them when the option is absent."""
    want = tuple(x for x in options.get(key, ",".join(allowed)).split(",") if x)
    bad = [x for x in want if x not in allowed]
    if bad:
        raise OptionError(f"unknown {what} {bad[0]!r}; use {', '.join(allowed)}")
    return want


def _check_name(name: str) -> None:
    import re

    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise ValueError(f"emitter name {name!r} must be lower-case letters, digits and dashes")


@functools.cache
def manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("specc")
    pm.add_hookspecs(hookspecs)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    return pm


class PluginError(Exception):
    def __init__(self, plugin: str, what: str, exc: BaseException):
        self.plugin, self.what, self.exc = plugin, what, exc
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" ({tb[-1].filename}:{tb[-1].lineno})" if tb else ""
        super().__init__(f"plugin `{plugin}` failed in {what}: {type(exc).__name__}: {exc}{where}")


def emitters(pm: pluggy.PluginManager | None = None) -> dict[str, Emitter]:
    pm = pm or manager()
    out: dict[str, Emitter] = {}
    for impl in pm.hook.specc_register_emitters.get_hookimpls():
        name = impl.plugin_name
        try:
            got = impl.function() or []
        except Exception as e:
            raise PluginError(name, "specc_register_emitters", e) from e
        for em in got:
            _check_name(em.name)
            if em.name in out:
                raise PluginError(name, "specc_register_emitters", ValueError(f"emitter `{em.name}` is already registered by `{out[em.name].plugin}`"))
            out[em.name] = attrs.evolve(em, plugin=name)
    return dict(sorted(out.items()))


def registered_checks(pm: pluggy.PluginManager | None = None):
    """The :class:`specc.checks.Check` objects plugins register
    (``specc_register_checks``), each tagged with its plugin's name."""
    pm = pm or manager()
    out = []
    for impl in pm.hook.specc_register_checks.get_hookimpls():
        try:
            got = list(impl.function() or [])
        except Exception as e:
            raise PluginError(impl.plugin_name, "specc_register_checks", e) from e
        out.extend(attrs.evolve(ch, plugin=impl.plugin_name) for ch in got)
    return out


def checks(spec, ctx=None, pm: pluggy.PluginManager | None = None) -> list[Diagnostic]:
    """The plugins' diagnostics for a compiled spec: from the checks they
    register (``specc_register_checks``, run as the built-in ones are, with
    the compiler's :class:`specc.checks.Context`), and from the older
    ``specc_checks(spec)`` hook."""
    from . import checks as builtin
    from .diagnostics import SourceCache

    pm = pm or manager()
    out: list[Diagnostic] = []
    ctx = ctx if ctx is not None else builtin.Context(SourceCache())
    for ch in registered_checks(pm):
        try:
            got = builtin.run(spec, ctx, [ch])
        except Exception as e:
            raise PluginError(ch.plugin, f"check `{ch.name}`", e) from e
        out.extend(d if d.source else attrs.evolve(d, source=ch.plugin) for d in got)
    for impl in pm.hook.specc_checks.get_hookimpls():
        try:
            got = impl.function(spec=spec) or []
            for d in got:
                out.append(d if d.source else Diagnostic(d.code, d.message, d.span, d.help, d.notes, impl.plugin_name))
        except Exception as e:
            raise PluginError(impl.plugin_name, "specc_checks", e) from e
    return out


def default_emitters(spec, pm: pluggy.PluginManager | None = None) -> list[str] | None:
    pm = pm or manager()
    return pm.hook.specc_default_emitters(spec=spec)


def plugin_names(pm: pluggy.PluginManager | None = None) -> list[tuple[str, Any]]:
    pm = pm or manager()
    dists = {id(p): d for p, d in pm.list_plugin_distinfo()}
    out = []
    for name, plugin in pm.list_name_plugin():
        d = dists.get(id(plugin))
        out.append((name, f"{d.project_name} {d.version}" if d else ""))
    return sorted(out)


