"""The layering docs/architecture.md promises: the core imports no plugin and
names no awarding body in code; every hook in hookspecs is documented there."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BODIES = ("cityandguilds", "ncfe", "cfa", "City & Guilds", "NCFE", "CfA")


def _core_modules():
    return sorted(p for p in (ROOT / "specc").rglob("*.py") if "__pycache__" not in p.parts)


def test_core_imports_no_plugin():
    bad = []
    for p in _core_modules():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            bad += [f"{p.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in ("specc_plugins", "plugins")]
    assert not bad, bad


def test_core_code_names_no_body():
    """Bodies are data; a body's name may appear in a help example or a
    docstring, never in code that decides anything (string constants in
    comparisons, dict keys, ...)."""
    bad = []
    for p in _core_modules():
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                for c in [node.left, *node.comparators]:
                    if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value in BODIES:
                        bad.append(f"{p.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Dict):
                for k in node.keys:
                    if isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value in BODIES:
                        bad.append(f"{p.relative_to(ROOT)}:{node.lineno}")
    assert not bad, bad


def test_every_hook_is_in_the_architecture_doc():
    from specc import hookspecs

    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    hooks = [n for n in dir(hookspecs) if n.startswith("specc_")]
    assert hooks
    missing = [h for h in hooks if f"`{h}(" not in doc]
    assert not missing, f"document these hooks in docs/architecture.md: {missing}"
