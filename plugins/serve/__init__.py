"""``specc serve``: live preview of handbook and forms HTML (see :mod:`.server`)."""

from __future__ import annotations

from specc.hookspecs import hookimpl


def _run(args) -> int:
    from .server import run

    return run(args)


@hookimpl
def specc_add_commands(subparsers):
    p = subparsers.add_parser(
        "serve",
        help="live preview: rebuild the handbook and forms HTML as files change, and serve them",
        description="Watch the specs under PATHS, rebuild their handbook and forms as HTML into a private temporary folder "
        "after each change, and serve them with the current diagnostics on every page; the browser reloads by itself.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="spec files or folders (default: specs)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.set_defaults(func=_run)
