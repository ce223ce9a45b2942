"""The hooks a specc plugin can implement.

A plugin is any module or object with functions marked ``@hookimpl``.  It is
found through the ``specc`` entry-point group (built-in plugins are registered
there too, in pyproject.toml, exactly as a third-party package would)::

    [project.entry-points.specc]
    myplugin = "my_package.specc_plugin"

Every hook is optional.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("specc")
hookimpl = pluggy.HookimplMarker("specc")


@hookspec
def specc_register_emitters():
    """Return a list of :class:`specc.plugins.Emitter` this plugin provides.

    An emitter has a unique ``name`` (what ``specc build --emit NAME`` selects),
    a one-line ``description``, ``produces`` (what kind of files it writes, for
    ``specc plugins``) and ``emit(spec, sink, options)``, which writes its
    outputs for one compiled :class:`specc.ir.Spec` through the
    :class:`specc.sink.Sink` it is given.  It must write nothing else: the sink
    confines paths to the output folder, makes writes atomic and records them
    in the manifest.  If ``emit`` raises, nothing it wrote is kept.
    """


@hookspec
def specc_checks(spec):
    """Return extra diagnostics for a compiled spec (body-specific lints).

    ``spec`` is a checked :class:`specc.ir.Spec`.  Return an iterable of
    :class:`specc.diagnostics.Diagnostic`; codes should be the plugin's own
    (for example ``W900``-``W999``) and each should carry a span.
    """


@hookspec(firstresult=True)
def specc_default_emitters(spec):
    """Return the emitter names ``specc build`` runs for ``spec`` when no
    ``--emit`` is given, or None to leave the choice to other plugins
    (default: every registered emitter)."""
