"""A self-payer's own reminders: none unless ``bpu-mandiri``'s ``reminders`` is on, then in its own words."""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources

import pytest

from lindungi.config import Programs, load_programs
from lindungi.intake import store
from lindungi.reminders.planner import Planner, run_time
from lindungi.reminders.sender import Delivery, Sender
from lindungi.rows import Accepted, RowRef
from lindungi.settings import PlannerSettings, SenderSettings
from tests.builders import Env

END = date(2025, 8, 31)
ROW = Accepted(RowRef(2), "6172014509850003", "SITI AMINAH", "+6281234567890", "bpu-mandiri", date(2025, 6, 1),
               END, sms_capable=True)


def _programs(reminded: bool) -> Programs:
    raw = json.loads(resources.files("lindungi").joinpath("programs.json").read_text("utf-8"))
    raw["programs"]["bpu-mandiri"]["reminders"] = reminded
    return load_programs(json.dumps(raw))


@pytest.mark.parametrize("reminded", [False, True], ids=["reminders-off", "reminders-on"])
def test_self_payers_are_reminded_only_when_their_program_says_so(env: Env, reminded: bool) -> None:
    config = _programs(reminded)
    env.put(store.coverage_item(ROW, store.Source("b", "incoming/bpu-mandiri/x.csv", None, "0" * 64, "t"), config))
    sent: list[str] = []
    for days_left in (10, 7, 4, 1):
        now = run_time(END - timedelta(days=days_left), config)
        report = Planner(env.dynamodb, env.sqs, env.kms, PlannerSettings.from_env(), config).run(now)
        sender = Sender(env.dynamodb, env.sns, env.sqs, env.kms, SenderSettings.from_env(), config)
        for ident in report.notice_ids:
            sender.handle(Delivery(ident), now)
            sent.append(ident.rsplit("#", 1)[-1])
    texts = [text for _, text in env.sms()]
    if not reminded:
        assert sent == [] and texts == []
        return
    assert sorted(sent) == ["1", "7"], "its own stages, once each"
    assert len(texts) == 2
    own_words = "iuran BPJS Ketenagakerjaan Anda sampai 31 Agustus 2025"
    assert all(own_words in t and "berakhir" not in t for t in texts), texts
