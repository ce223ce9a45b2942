"""The document's version history."""

from __future__ import annotations

from collections.abc import Iterator

from .. import ir
from ..diagnostics import Diagnostic
from . import Check, Context, warning

W061 = warning("W061", "version history out of date order")


def date_order(spec: ir.Spec, ctx: Context) -> Iterator[Diagnostic]:
    """W061: each change is dated no earlier than the latest one above it."""
    prev = None
    for ch in spec.document.history:
        if prev is not None and ch.date.key < prev.date.key:
            yield ctx.diag(
                "W061",
                f"version {ch.version} ({ch.date}) is dated before version {prev.version} ({prev.date}) above it",
                ch.span,
                word=str(ch.date),
                help="the version history is usually in date order; check the date",
            )
        prev = ch if prev is None or ch.date.key >= prev.date.key else prev


CHECKS = (Check("history-order", (W061,), date_order),)
