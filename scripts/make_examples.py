"""Write example portfolios and their reports to examples/.

    python scripts/make_examples.py            # (re)write examples/ from specs/
    python scripts/make_examples.py --check    # exit 1 if examples/ is not current
    python scripts/make_examples.py SPECS... -o DIR

For each qualification of each spec: ``achieves.json`` and ``fails-*.json``
with ``*.report.json`` beside each, and a README.md (see
plugins/export/examples.py).  The output is deterministic; files in the
output folder that the specs no longer produce are removed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specc_plugins.export import examples  # noqa: E402 - after the path set-up above
from specc import build  # noqa: E402


def wanted(paths: list[str]) -> dict[str, str]:
    comps = build.compile_all(paths)
    broken = [c for c in comps if c.spec is None or not c.ok]
    for c in broken:
        print(f"make_examples: {c.root} does not compile; run `specc check` (its examples are left out)", file=sys.stderr)
    return examples.all_files([c.spec for c in comps if c.spec is not None and c.ok])


def current(out: Path) -> dict[str, bytes]:
    if not out.is_dir():
        return {}
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", default=[str(ROOT / "specs")], metavar="SPECS")
    ap.add_argument("-o", "--out", default=str(ROOT / "examples"))
    ap.add_argument("--check", action="store_true", help="only report whether the output folder is current")
    args = ap.parse_args(argv)
    out = Path(args.out)
    files = {k: v.encode("utf-8") for k, v in wanted(args.paths).items()}
    have = current(out)
    stale = sorted(k for k in files if have.get(k) != files[k])
    extra = sorted(k for k in have if k not in files)
    if args.check:
        for k in stale:
            print(f"{'stale' if k in have else 'missing'}: {out / k}")
        for k in extra:
            print(f"not made any more: {out / k}")
        if stale or extra:
            print("examples are not current: run python scripts/make_examples.py", file=sys.stderr)
            return 1
        return 0
    for k in extra:
        (out / k).unlink()
    for k in stale:
        p = out / k
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(files[k])
    for d in sorted((p for p in out.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(d.iterdir()):
            d.rmdir()
    print(f"examples: {len(files)} files in {out} ({len(stale)} written, {len(extra)} removed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
