"""Shared fixtures.  Specs are compiled once per session."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from specc import build

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@functools.cache
def _compiled():
    return {c.spec.document.id: c for c in build.compile_all([SPECS]) if c.spec is not None}


@pytest.fixture(scope="session")
def compilations():
    """document id -> Compilation for every spec under specs/."""
    return _compiled()


@pytest.fixture(scope="session")
def specs(compilations):
    """document id -> ir.Spec for every spec under specs/."""
    return {k: c.spec for k, c in compilations.items()}


def compile_text(tmp_path: Path, text: str, name: str = "t.specc"):
    """Compile a source text written to a temporary file."""
    from specc.compiler import compile_file

    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return compile_file(p)
