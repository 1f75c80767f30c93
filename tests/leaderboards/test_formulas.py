"""Team formulas recomputed by hand on a small data set."""

from __future__ import annotations

import random

import pytest

from app.extensions import db
from app.services import standings
from app.services.standings import TeamComponents, team_score
from tests.factories import make_participant
from tests.leaderboards.conftest import DAY1_EVENING, submit_paper


def test_components_and_three_formulas_by_hand(app, lb_campaign):
    rng = random.Random(1)
    # Beijing: two residents, scores chosen by the builder; Tianjin: one resident.
    a = make_participant(lb_campaign, "o_a", "甲一", "11")
    b = make_participant(lb_campaign, "o_b", "乙二", "11")
    c = make_participant(lb_campaign, "o_c", "丙三", "12")
    pa = submit_paper(a, lb_campaign, DAY1_EVENING, rng)
    pb = submit_paper(b, lb_campaign, DAY1_EVENING, rng)
    pc = submit_paper(c, lb_campaign, DAY1_EVENING, rng)
    comps = standings.team_components_sql(lb_campaign)
    bj, tj = (
        next(t for t in lb_campaign.teams if t.code == "11"),
        next(t for t in lb_campaign.teams if t.code == "12"),
    )
    assert comps[bj.id] == TeamComponents(bj.id, participants=2, papers=2, points=pa.score + pb.score)
    assert comps[tj.id] == TeamComponents(tj.id, participants=1, papers=1, points=pc.score)

    bj_total = pa.score + pb.score
    # total = participants x average
    assert team_score(comps[bj.id], bj.population, {"kind": "total"}) == bj_total == 2 * (bj_total / 2)
    # weighted: w1 x participants + w2 x average
    assert team_score(
        comps[bj.id], bj.population, {"kind": "weighted", "w1": 10, "w2": 0.5}
    ) == pytest.approx(10 * 2 + 0.5 * (bj_total / 2))
    # per capita: points per 10,000 residents (2020 census: Beijing 21,893,095)
    assert bj.population == 21893095
    assert team_score(comps[bj.id], bj.population, {"kind": "per_capita"}) == pytest.approx(
        bj_total / 21893095 * 10000, abs=1e-4
    )


def test_per_capita_without_population_ranks_last(app, lb_campaign):
    corps = next(t for t in lb_campaign.teams if t.code == "XJBT")
    assert corps.population is None
    lb_campaign.settings = {**lb_campaign.settings, "team_formula": {"kind": "per_capita"}}
    db.session.commit()
    rng = random.Random(2)
    submit_paper(make_participant(lb_campaign, "o_x", "兵团人", "XJBT"), lb_campaign, DAY1_EVENING, rng, 100)
    board = standings.team_standings_sql(lb_campaign)
    assert board[-1].code == "XJBT" and board[-1].score is None and board[-1].points > 0


def test_census_table_sums_to_the_national_figure():
    from config.regions import NATIONAL_32

    assert len(NATIONAL_32) == 32
    assert sum(r.population or 0 for r in NATIONAL_32) == 1_411_778_724 - 2_000_000


def test_individual_tie_breaks(app, lb_campaign):
    """Equal points: less total time first; equal time: the earlier submission first."""
    from datetime import timedelta

    from app.services import leaderboards

    people = [
        make_participant(lb_campaign, f"o_t{i}", name, "11")
        for i, name in enumerate(["张甲", "李乙", "王丙"])
    ]
    papers = []
    for person, (offset_min, used) in zip(people, [(10, 300), (0, 200), (5, 200)], strict=True):
        # the same seed marks the same positions right, so all three get the same points
        papers.append(
            submit_paper(
                person, lb_campaign, DAY1_EVENING + timedelta(minutes=offset_min), random.Random(99), used
            )
        )
    assert len({p.score for p in papers}) == 1
    order = leaderboards.ranking_order(lb_campaign)
    assert order == [people[1].participant_id, people[2].participant_id, people[0].participant_id]
