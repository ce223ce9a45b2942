"""specs/ against tables written by reading the seeds (tests/seed_tables/).

Each table pins, per unit or requirement set, counts taken from the seed
document by a person, and the exact text of at least one criterion or
requirement; the compiled IR must agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TABLES = Path(__file__).parent / "seed_tables"


def load(prefix: str) -> dict:
    out: dict = {}
    for f in sorted(TABLES.glob(f"{prefix}*.json")):
        out.update(json.loads(f.read_text(encoding="utf-8")))
    return out


def spec_by_body(specs, body: str):
    found = [s for s in specs.values() if s.document.body.id == body]
    assert found, f"no spec for body {body}"
    return found[0]


def unit_rows(prefix: str):
    return sorted(load(prefix).items())


@pytest.mark.parametrize("uid,row", unit_rows("cityandguilds"))
def test_cityandguilds_unit(specs, uid, row):
    u = spec_by_body(specs, "cityandguilds").unit(uid)
    assert u is not None, uid
    assert len(u.outcomes) == row["outcomes"]
    assert len(u.criteria) == row["criteria"]
    assert sum(len(c.demands) for c in u.criteria) == row["demands"]
    assert len(u.evidence_guide) == row["evidence_rows"]
    c = u.criterion(row["criterion"]["ref"])
    assert c is not None and c.statement == row["criterion"]["text"]


@pytest.mark.parametrize("uid,row", unit_rows("ncfe"))
def test_ncfe_unit(specs, uid, row):
    u = spec_by_body(specs, "ncfe").unit(uid)
    assert u is not None, uid
    assert len(u.outcomes) == row["outcomes"]
    assert len(u.criteria) == row["criteria"]
    assert sum(len(c.guidance) for c in u.criteria) == row["guidance"]
    assert sum(len(c.demands) for c in u.criteria) == row["demands"]
    c = u.criterion(row["criterion"]["ref"])
    assert c is not None and c.statement == row["criterion"]["text"]


@pytest.mark.parametrize("rid,row", unit_rows("cfa"))
def test_cfa_requirement_set(specs, rid, row):
    rs = spec_by_body(specs, "cfa").requirement_set(rid)
    assert rs is not None, rid
    assert len(rs.requirements) == row["requirements"]
    ranges = [rg for r in rs.requirements for rg in r.ranges]
    assert len(ranges) == row["ranges"]
    assert sum(len(rg.items) for rg in ranges) == row["range_items"]
    assert sorted(rg.choose for rg in ranges if rg.choose is not None) == sorted(row["choose"])
    assert sum(len(r.distinct) for r in rs.requirements) == row["distinct"]
    assert rs.requirements[0].text.value.replace("\n", " ").startswith(row["first_requirement_text_prefix"].rstrip())


def test_tables_cover_every_unit(specs):
    cg, nc = load("cityandguilds"), load("ncfe")
    assert sorted(cg) == sorted(u.id for u in spec_by_body(specs, "cityandguilds").units) and len(cg) == 20
    own = [u.id for u in spec_by_body(specs, "ncfe").units if "." not in u.id]
    assert sorted(nc) == sorted(own) and len(nc) == 18
    cfa = load("cfa")
    assert sorted(cfa) == sorted(r.id for r in spec_by_body(specs, "cfa").requirement_sets)
