"""The editor loop: ``specc lsp``, a language server over stdio (pygls).

See :mod:`.server` for the features, :mod:`.project` for how editor buffers
are compiled, :mod:`.index` for the names of a file, and :mod:`.lexer` for the
Pygments lexer.  Heavy imports happen when the command runs.
"""

from __future__ import annotations

from specc.hookspecs import hookimpl


def _run(args) -> int:
    from .server import main

    return main()


@hookimpl
def specc_add_commands(subparsers):
    p = subparsers.add_parser(
        "lsp",
        help="run the language server (LSP over stdio) for editors",
        description="Speak the Language Server Protocol on stdin/stdout: diagnostics as you type, hover, "
        "go to definition, references, completion, outline, formatting and rename of unit ids.",
    )
    p.add_argument("--stdio", action="store_true", help="use stdin/stdout (the default and only transport; accepted for editors that pass it)")
    p.set_defaults(func=_run)
