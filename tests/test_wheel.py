"""The package as users install it: a wheel built from the project, installed
into a fresh virtual environment (not editable, no source tree on the path),
runs every command on the seeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent



def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{cmd}:\n{r.stdout}\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check", str(ROOT), "-w", str(tmp / "dist")])
    (wheel,) = (tmp / "dist").glob("specc-*.whl")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)])
    return wheel, venv, tmp


@pytest.mark.slow
def test_wheel_holds_package_data_and_no_top_level_plugins(installed):
    wheel, _, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert "specc/grammars/specc.lark" in names
    assert any(n.startswith("specc_plugins/fonts/") and n.endswith(".ttf") for n in names)
    assert "specc_plugins/fonts/LICENSE-OFL.txt" in names
    assert any(n.endswith("templates/form.css") for n in names)
    assert not [n for n in names if n.startswith("plugins/")], "the built-in plugins must not install as a top-level `plugins` package"


@pytest.mark.slow
def test_installed_commands_run_on_the_seeds(installed):
    _, venv, tmp = installed
    specc = str(venv / "bin" / "specc")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # run from an empty folder, so nothing can come from the source tree
    cwd = tmp / "work"
    cwd.mkdir()
    r = run([specc, "check", str(ROOT / "specs")], cwd=cwd, env=env)
    assert "checked 3 specs" in r.stderr
    r = run([specc, "plugins", "--format", "json"], cwd=cwd, env=env)
    emitters = {e["name"] for e in json.loads(r.stdout)["emitters"]}
    assert {"forms", "handbook", "ir-json", "portfolio-schema", "validator"} <= emitters
    out = cwd / "out"
    run([specc, "build", str(ROOT / "specs"), "-o", str(out), "-q"], cwd=cwd, env=env)
    for doc in ("cg4411", "ncfe_601_3972_9"):
        assert (out / doc / "ir.json").is_file()
    assert list(out.rglob("*.pdf")), "forms are rendered from the installed package (font and CSS found)"
    run([specc, "ir", str(ROOT / "specs" / "cityandguilds")], cwd=cwd, env=env)
    run([specc, "fmt", "--check", str(ROOT / "specs")], cwd=cwd, env=env)


@pytest.mark.parametrize("folder,package", [("specc", "specc"), ("plugins", "specc_plugins")])
def test_every_source_package_is_listed_for_the_wheel(folder, package):
    """pyproject.toml lists packages by name (plugins/ installs under another
    name, which package discovery cannot do): a new subpackage must be listed."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join((package, *p.parent.relative_to(ROOT / folder).parts))
        for p in (ROOT / folder).rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
