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
def specc_register_checks():
    """Return a list of :class:`specc.checks.Check`: semantic checks, each
    registered with the codes it reports (:class:`specc.checks.Code`: code,
    severity, one-line meaning) and a function ``run(spec, ctx)`` that yields
    :class:`specc.diagnostics.Diagnostic` for a checked, solved spec
    (``ctx`` is a :class:`specc.checks.Context`: ``ctx.diag(code, message,
    span, word=...)`` underlines one word of a span).  The built-in checks
    are registered the same way (:data:`specc.checks.BUILTIN`).  Codes
    should be the plugin's own (for example ``W900``-``W999``); a diagnostic
    with a code its check does not register is an error of the plugin.
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


@hookspec
def specc_handbook_styles():
    """Return a list of :class:`specc.plugins.HandbookStyle`: a body's house
    style for handbook sections.  ``render(spec, options)`` returns the
    reStructuredText of the handbook; ``bodies`` lists the body ids (the
    ``body`` of a spec's ``document``) for which it is the default.  The
    ``handbook`` emitter picks the style by body, or by ``--style NAME``.
    Every unit must get a section marked ``.. class:: unit`` and every set of
    evidence requirements (the spec's own, and those its units are assessed
    under) a section of its own or inside a unit's; otherwise the emitter
    refuses the spec (:class:`specc.plugins.CannotShow`, exit 1)."""


@hookspec
def specc_form_styles():
    """Return a list of :class:`specc.plugins.FormStyle`: a body's recording
    forms.  ``render(spec, options)`` returns the forms to print, in order,
    as an iterable (see the ``forms`` emitter for the form model): a
    generator lets the emitter make, render and write one form at a time,
    so a large spec's forms are never all in memory; ``bodies`` as for
    handbook styles.
    Every unit must get fields named ``u<unit>.``, and every set of evidence
    requirements with ranges or distinct counts fields named ``rs.<set>.``
    (plugins/forms/common.py); otherwise the emitter refuses the spec."""


@hookspec
def specc_add_commands(subparsers):
    """Add subcommands to the ``specc`` command line.

    ``subparsers`` is the :mod:`argparse` sub-parser action of ``specc``: call
    ``subparsers.add_parser(NAME, help=...)``, add the command's arguments and
    ``set_defaults(func=run)``, where ``run(args)`` returns the exit status
    (0 clean, 1 errors found, 2 usage).  Import heavy libraries inside ``run``,
    not at module level, so ``specc --help`` stays fast.  A command name
    already taken by the core or another plugin is an error.
    """
