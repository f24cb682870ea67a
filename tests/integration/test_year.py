"""The city's year, scaled down: the two cohorts and the branch's self-payers through every reminder day.

``lindungi_dev.bench.year`` at a tenth of the city (774 + 77 workers, 200 self-payers, the ceiling 300): the
same run ``make bench`` makes at full size (7,737 + 767 and 2,000), which takes longer than CI allows
(docs/benchmarks.md). The test data says who renewed (``Kind``), never ``renewal.py``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from lindungi_dev.bench import year

SCALE = 0.1
REQUESTS_PER_SMS = 4.5
"""At a tenth of the city the planner's fixed daily reads (a Query per stage partition, the ledger, the outbox,
on each of some 75 days) weigh on ten times fewer SMS; at full size the target is 4 (``year.check_year``)."""


@pytest.fixture(scope="module")
def town() -> year.City:
    return year.city(SCALE)


def test_the_test_data_has_every_kind_of_self_payer(town: year.City) -> None:
    kinds = Counter(s.kind for s in town.branch)
    assert set(kinds) == set(year.Kind) and len(town.branch) == 200
    assert len(town.new_numbers) >= len(town.branch) // 4, "about a third give a new number"
    assert not {w.nik for w in town.rentan} & {w.nik for w in town.sawit}
    gaps = {(s.tmt - date(2025, 5, 31)).days for s in town.branch if s.kind is year.Kind.GAP}
    assert min(gaps) >= 1 and max(gaps) <= 90


@pytest.mark.slow
def test_a_year_no_stale_number_no_reminder_after_renewal_every_stage_and_the_rate(town: year.City) -> None:
    figures = year.simulate(town)
    failures = [f for f in figures["failures"] if "requests per SMS" not in f]
    assert failures == [], figures
    assert figures["sms_to_replaced_numbers"] == 0 and figures["sms_after_renewal_listed"] == 0
    assert figures["rekap"]["renewed"] == figures["expected"]["renewed"] == len(town.renewed)
    assert figures["rekap"]["ended"] == len(town.rentan) + len(town.sawit)
    assert figures["accepted"] == {"pekerja-rentan": len(town.rentan), "pekerja-sawit": len(town.sawit),
                                   "bpu-mandiri": len(town.branch)}
    assert figures["statuses"].get("superseded", 0) > 0, "renewed covers' later stages were stopped"
    assert figures["batch_writes_per_row"] <= year.TARGET_WRITES_PER_ROW
    assert figures["requests_per_sms"] <= REQUESTS_PER_SMS, figures["requests"]
