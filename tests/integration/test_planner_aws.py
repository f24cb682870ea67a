"""The reminder planner against moto: which stage, when, within the ceiling, and each stage once.

Faults are injected with botocore's own event hooks, not by mocking our code.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from typing import Any

import pytest
import time_machine
from botocore.exceptions import ClientError
from moto.sns.models import sns_backends

from lindungi.config import programs
from lindungi.reminders.notices import Status, iso, notice_id
from lindungi.reminders.planner import CHUNK, Part, PlanReport, run_time
from lindungi.reminders.sender import Delivery
from lindungi_dev.emulator.lambdas import LambdaRunner
from lindungi_dev.emulator.template import ACCOUNT
from tests.builders import (
    END,
    PROGRAM,
    Env,
    at,
    coverage,
    fail_on,
    niks,
)

# ---------------------------------------------------------------- planner: which stage, when

@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        pytest.param(37, None, id="37-days-no-window-open"),
        pytest.param(36, None, id="36-days-window-open-alone-waits-for-its-day"),
        pytest.param(30, 30, id="30-days-exact"),
        pytest.param(11, 30, id="11-days-last-day-of-30"),
        pytest.param(10, None, id="10-days-window-of-7-open-waits"),
        pytest.param(7, 7, id="7-days-missed-30-catches-up-with-7"),
        pytest.param(5, 7, id="5-days-last-day-of-7"),
        pytest.param(4, None, id="4-days-window-of-1-open-waits"),
        pytest.param(2, 1, id="2-days-last-stage-with-two-runs-to-spare"),
        pytest.param(1, 1, id="1-day-exact"),
        pytest.param(0, 1, id="ends-today-gets-last-stage"),
        pytest.param(-1, None, id="ended-yesterday-never"),
    ],
)
def test_first_run_plans_the_most_urgent_stage_still_due(env: Env, days_left: int, stage: int | None) -> None:
    item = coverage()
    env.put(item)
    today = END - timedelta(days=days_left)
    report = env.plan(today)
    if stage is None:
        assert report.planned == 0 and env.queued_ids() == []
        return
    assert report.planned == 1 and report.by_stage == {str(stage): 1}
    assert env.queued_ids() == [notice_id(item["nik"], PROGRAM, "2025-01-01", stage)]
    again = env.plan(today)  # the notice exists now: not due any more
    assert (again.planned, again.due) == (0, 0)


def test_daily_runs_send_each_stage_once_on_its_day_the_last_with_two_runs_to_spare(env: Env) -> None:
    env.put(coverage())
    planned: dict[date, dict[str, int]] = {}
    for offset in range(-45, 3):
        day = END + timedelta(days=offset)
        report = env.plan(day)
        if report.planned:
            planned[day] = report.by_stage
    assert planned == {END - timedelta(days=30): {"30": 1}, END - timedelta(days=7): {"7": 1},
                       END - timedelta(days=2): {"1": 1}}


@pytest.mark.parametrize(
    ("run_days", "expected"),
    [
        pytest.param([5, 0], {5: "7", 0: "1"}, id="missed-30-then-runs-5-and-0"),
        pytest.param([12, 3, 2], {12: "30", 2: "1"}, id="late-30-window-of-7-passed-then-1"),
        pytest.param([8, 6], {6: "7"}, id="early-in-the-window-waits-then-late-7"),
        pytest.param([-1, -2], {}, id="only-after-the-end-nothing"),
        pytest.param([0, 0], {0: "1"}, id="twice-on-the-last-day-once"),
    ],
)
def test_missed_days_catch_up_without_repeats(env: Env, run_days: list[int], expected: dict[int, str]) -> None:
    env.put(coverage())
    got = {}
    for days_left in run_days:
        report = env.plan(END - timedelta(days=days_left))
        if report.planned:
            got[days_left] = next(iter(report.by_stage))
    assert got == expected


def test_ended_cover_is_never_read(env: Env) -> None:
    env.put(coverage(end=date(2025, 5, 20)), coverage("6172014509850011", end=date(2025, 6, 10)))
    report = env.plan(date(2025, 5, 25))
    assert report.items_read == 1  # only the cover ending 10 June; the ended one is below the key condition
    assert report.planned == 1


@pytest.mark.parametrize(
    ("hour", "minute", "planned"),
    [
        pytest.param(7, 59, 0, id="07:59-closed"),
        pytest.param(8, 0, 1, id="08:00-open"),
        pytest.param(19, 59, 1, id="19:59-open"),
        pytest.param(20, 0, 0, id="20:00-closed"),
        pytest.param(2, 0, 0, id="02:00-closed"),
    ],
)
def test_planner_respects_the_send_window(env: Env, hour: int, minute: int, planned: int) -> None:
    env.put(coverage())
    report = env.planner().run(at(END - timedelta(days=7), hour, minute))
    assert report.planned == planned
    assert report.in_window is bool(planned)


def test_ceiling_leaves_the_rest_due_for_the_next_day(env: Env) -> None:
    env.put(*[coverage(n) for n in niks(5)])
    first = env.plan(END - timedelta(days=30), max_per_run=3)
    assert (first.planned, first.ceiling_reached) == (3, True)
    assert (first.items_read, first.due) == (5, 5)  # the look-ahead reads all that is due, plans the ceiling
    second = env.plan(END - timedelta(days=29), max_per_run=3)
    assert (second.planned, second.ceiling_reached) == (2, False)
    assert len(env.queued_ids()) == 5


def test_ceiling_takes_the_most_urgent_stage_first(env: Env) -> None:
    urgent = coverage("6172014509850011", end=date(2025, 5, 2))  # 1 day left, in the 30-day partition
    env.put(urgent, *[coverage(n, end=date(2025, 5, 31)) for n in niks(3)])
    env.put(coverage("6172014509850012", end=date(2025, 5, 2)) | {"remind_key": f"{PROGRAM}#1"})
    report = env.plan(date(2025, 5, 1), max_per_run=1)
    assert report.by_stage == {"1": 1}


@pytest.mark.parametrize("missed", [(), (4, 3), (3, 2), (2, 1), (1, 0)], ids=lambda m: f"missed-{m}")
def test_a_peak_of_one_end_date_starts_early_and_survives_two_missed_runs(env: Env, missed: tuple[int, ...]) -> None:
    # 6 covers end the same day, 2 messages a run: the last stage needs 3 runs, its window (4..0) has 5.
    env.put(*[coverage(n) for n in niks(6)])
    sent_on: dict[int, int] = {}
    for days_left in range(4, -1, -1):
        if days_left in missed:
            continue
        report = env.plan(END - timedelta(days=days_left), max_per_run=2)
        assert report.planned <= 2
        sent_on[days_left] = report.by_stage.get("1", 0)
    assert sum(sent_on.values()) == 6  # every cover got its last reminder before it ended
    if not missed:
        assert sent_on[4] > 0  # started before its own day, because the look-ahead saw the peak


def test_small_cohort_schedule_rules(env: Env) -> None:
    # Two end dates a day apart, ceiling 3: each stage once, never after the end, never more than 3 a run.
    env.put(*[coverage(n) for n in niks(4)], *[coverage(n, end=END + timedelta(days=1)) for n in niks(8)[4:]])
    stages: dict[str, int] = {}
    for offset in range(-40, 3):
        report = env.plan(END + timedelta(days=offset), max_per_run=3)
        assert report.planned <= 3
        for stage, n in report.by_stage.items():
            stages[stage] = stages.get(stage, 0) + n
    assert stages == {"30": 8, "7": 8, "1": 8}
    ids = env.queued_ids()
    assert len(ids) == len(set(ids)) == 24
    assert all(n["planned_for"] <= n["coverage_end"] for n in env.notices())


def test_a_run_near_its_timeout_hands_the_rest_to_a_continuation(env: Env) -> None:
    env.put(*[coverage(n) for n in niks(120)])
    now = run_time(END - timedelta(days=30), programs())
    clock = iter([300.0, 300.0, 30.0])  # seconds left: two chunks of 50, then too close to the timeout
    first = env.planner(max_per_run=110).run(now, time_left=lambda: next(clock, 30.0))
    assert (first.planned, first.continued) == (100, True)
    queue = env.stack.physical("PlannerContinuationQueue")
    (message,) = env.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    when, part = Part.from_message(message["Body"])
    assert (when, part) == (now, Part(1, 100))
    rest = env.planner(max_per_run=110).run(when, part, time_left=lambda: 300.0)
    assert (rest.planned, rest.continued, rest.ceiling_reached) == (10, False, True)  # the ceiling spans the parts
    ids = env.queued_ids()
    assert len(ids) == len(set(ids)) == 110


@pytest.mark.parametrize("how", ["delivered-twice", "failed-after-queueing-and-redelivered", "twins-at-once"])
def test_the_ceiling_holds_when_a_continuation_runs_twice(env: Env, serialised_moto: None, how: str) -> None:
    """Each copy of a part used to plan with the ceiling less what its own message said was queued: 300 due,
    a ceiling of 200, the day planned 300. The day's ledger holds it whatever is delivered again, and every
    notice is queued once: twins at once interleave request by request (``serialised_moto``), as against
    DynamoDB, whose conditional put of one item has one winner (unserialised, moto's check and write can
    both pass for two threads)."""
    env.put(*[coverage(n) for n in niks(300)])
    now = run_time(END - timedelta(days=30), programs())
    clock = iter([300.0, 300.0, 30.0])
    first = env.planner(max_per_run=200).run(now, time_left=lambda: next(clock, 30.0))
    assert (first.planned, first.continued) == (100, True)
    queue = env.stack.physical("PlannerContinuationQueue")
    (message,) = env.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    when, part = Part.from_message(message["Body"])
    if how == "twins-at-once":
        reports: list[Any] = []
        together = threading.Barrier(2)

        def run() -> None:
            together.wait(10)
            reports.append(env.planner(max_per_run=200).run(when, part, time_left=lambda: 300.0))

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # Twins racing can leave some of the part unplanned (a twin that got part of a chunk plans that many of the
        # chunk's first notices, some of which the other twin created), never more than the ceiling: the next
        # delivery of the part (or the next day's run) plans the rest, and the day still ends at its ceiling.
        racing = sum(r.planned for r in reports)
        assert racing <= 100
        again = env.planner(max_per_run=200).run(when, part, time_left=lambda: 300.0)
        assert racing + again.planned == 100
    elif how == "failed-after-queueing-and-redelivered":
        failing = env.planner(max_per_run=200)
        real_enqueue = failing.enqueue

        def enqueue_then_fail(notice_ids: Any, report: Any) -> None:
            real_enqueue(notice_ids, report)
            raise RuntimeError("the part fails after queueing its first chunk")

        failing.enqueue = enqueue_then_fail  # type: ignore[method-assign]
        with pytest.raises(RuntimeError):
            failing.run(when, part, time_left=lambda: 300.0)
        redelivered = env.planner(max_per_run=200).run(when, part, time_left=lambda: 300.0)
        assert redelivered.planned == 50 and redelivered.ceiling_reached
    else:
        again = env.planner(max_per_run=200).run(when, part, time_left=lambda: 300.0)
        assert again.planned == 100
        twice = env.planner(max_per_run=200).run(when, part, time_left=lambda: 300.0)
        assert (twice.planned, twice.ceiling_reached) == (0, True)
    ids = env.queued_ids()
    assert len(ids) == len(set(ids)) == 200 == len(env.notices())


def test_twins_of_a_part_that_both_read_its_notices_absent_queue_each_once(env: Env, serialised_moto: None) -> None:
    """The worst interleaving of two copies of a continuation part, forced: both have read every notice of
    their first chunk as absent (their ``BatchGetItem``) and reserved it on the ledger before either plans
    one, then they plan the same notices in lockstep, the n-th ``PutItem`` of one beside the n-th of the
    other. Each notice has one winner, and only the winner queues it."""
    env.put(*[coverage(n) for n in niks(300)])
    now = run_time(END - timedelta(days=30), programs())
    clock = iter([300.0, 300.0, 30.0])
    first = env.planner(max_per_run=200).run(now, time_left=lambda: next(clock, 30.0))
    assert (first.planned, first.continued) == (100, True)
    (message,) = env.sqs.receive_message(QueueUrl=env.stack.physical("PlannerContinuationQueue"),
                                         MaxNumberOfMessages=10)["Messages"]
    when, part = Part.from_message(message["Body"])
    twins = [env.planner(max_per_run=200, threads=1) for _ in range(2)]
    step = threading.Barrier(2, timeout=30)
    puts = [0, 0]

    def lockstep(twin: int) -> Any:
        def hook(**_: Any) -> None:
            puts[twin] += 1
            if puts[twin] <= CHUNK:  # the first chunk: the same notices, in the same order, for both
                step.wait()
        return hook

    reports: list[PlanReport] = []
    errors: list[BaseException] = []

    def run(twin: int) -> None:
        try:
            reports.append(twins[twin].run(when, part, time_left=lambda: 300.0))
        except BaseException as error:
            errors.append(error)
            step.abort()

    for twin, planner in enumerate(twins):
        planner.dynamodb.meta.events.register("before-call.dynamodb.PutItem", lockstep(twin))
    threads = [threading.Thread(target=run, args=(twin,)) for twin in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rest = env.planner(max_per_run=200).run(when, part, time_left=lambda: 300.0)  # the part delivered again
    ids = env.queued_ids()
    assert len(ids) == len(set(ids)) == 200 == len(env.notices())
    assert sum(r.already_planned for r in reports) >= CHUNK  # every notice of the first chunk was put twice
    racing = sum(r.planned for r in reports)
    assert racing == sum(r.enqueued for r in reports) and racing + rest.planned == 100


# ---------------------------------------------------------------- planner: once, even twice at once

def test_second_run_the_same_day_plans_nothing(env: Env) -> None:
    env.put(*[coverage(n) for n in niks(4)])
    day = END - timedelta(days=7)
    assert env.plan(day).planned == 4
    again = env.plan(day)
    assert (again.planned, again.due, again.already_planned) == (0, 0, 0)
    assert len(env.queued_ids()) == 4


def test_interleaved_planners_plan_each_notice_once(env: Env) -> None:
    env.put(*[coverage(n) for n in niks(6)])
    day = END - timedelta(days=7)
    now = run_time(day, programs())
    a, b = env.planner(), env.planner()
    # A reads everything due; B runs start to finish; then A plans and queues what it had read.
    report_a = PlanReport(run_at="", today=day.isoformat())
    due = a.find_due(day, report_a)
    report_b = b.run(now)
    for chunk in a._chunks(due, {d.bucket: d.bucket.count for d in due.values()}):
        a.enqueue(a.plan(chunk, day, now, report_a), report_a)
    assert report_b.planned == 6
    assert (report_a.planned, report_a.already_planned, report_a.enqueued) == (0, 6, 0)
    ids = env.queued_ids()
    assert len(ids) == len(set(ids)) == 6


def test_two_planners_at_once_in_threads(env: Env, serialised_moto: None) -> None:
    # moto's in-process backends are not thread-safe: each request is serialised (conftest), so the two
    # planners interleave request by request, as they would against DynamoDB.
    env.put(*[coverage(n) for n in niks(30)])
    now = run_time(END - timedelta(days=30), programs())
    reports: list[Any] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        reports.append(env.planner(threads=4).run(now))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.planned for r in reports) == 30
    ids = env.queued_ids()
    assert len(ids) == len(set(ids)) == 30


def test_list_uploaded_again_does_not_plan_a_stage_twice(env: Env) -> None:
    item = coverage()
    env.put(item)
    assert env.plan(END - timedelta(days=7)).planned == 1
    env.put(item)  # re-upload: the same cover written again
    again = env.plan(END - timedelta(days=6))
    assert (again.planned, again.due) == (0, 0)  # its 7-day notice exists: not due
    assert env.plan(END - timedelta(days=1)).by_stage == {"1": 1}
    assert len(env.queued_ids()) == 2


def _crash_between_put_and_queue(env: Env) -> date:
    """A cover owed its 7-day notice, and a planner run that puts it but fails to queue it: the day."""
    env.put(coverage())
    day = END - timedelta(days=7)
    broken = env.planner()
    fail_on(broken.sqs, "before-call.sqs.SendMessageBatch", "InternalError")
    with pytest.raises(ClientError):
        broken.run(run_time(day, programs()))
    return day


def test_crash_between_put_and_queue_is_requeued_from_the_outbox(env: Env) -> None:
    day = _crash_between_put_and_queue(env)
    assert env.queued_ids() == []
    (notice,) = env.notices()
    assert notice["outbox"] == "pending"
    soon = env.planner().run(run_time(day, programs()) + timedelta(minutes=5))
    assert soon.requeued == 0  # within the grace period the first run may still be sending
    later = env.planner().run(run_time(day, programs()) + timedelta(minutes=20))
    assert (later.requeued, later.planned) == (1, 0)
    assert env.queued_ids() == [notice["notice_id"]]
    retried = env.planner().run(run_time(day, programs()) + timedelta(minutes=25))
    assert retried.requeued == 0  # the run at +20 took it: within the grace period of that, not again
    assert env.notice(notice["notice_id"])["outbox"] == "pending"  # until the sender acts on it
    sent = env.sender().handle(Delivery(notice["notice_id"]), run_time(day, programs()) + timedelta(minutes=21))
    assert sent.status is Status.SENT and "outbox" not in env.notice(notice["notice_id"])


def test_twins_of_a_run_requeue_each_outbox_notice_once(env: Env, serialised_moto: None) -> None:
    """Two copies of a first part at once (the schedule, too, delivers at least once) find the same notices in
    the outbox; each copy takes a notice (a conditional ``requeued_at``) before queueing it again, here in
    lockstep, the n-th take of one beside the n-th of the other: one copy queues each."""
    env.put(*[coverage(n) for n in niks(12)])
    day = END - timedelta(days=7)
    broken = env.planner()
    fail_on(broken.sqs, "before-call.sqs.SendMessageBatch", "InternalError")
    with pytest.raises(ClientError):
        broken.run(run_time(day, programs()))
    assert len(env.notices()) == 12 and env.queued_ids() == []
    twins = [env.planner(threads=1) for _ in range(2)]
    when = run_time(day, programs()) + timedelta(minutes=20)
    step = threading.Barrier(2, timeout=30)

    def lockstep(params: dict[str, Any], **_: Any) -> None:
        if "requeued_at" in params.get("ConditionExpression", ""):
            step.wait()

    reports: list[PlanReport] = []
    errors: list[BaseException] = []

    def run(planner: Any) -> None:
        try:
            reports.append(planner.run(when))
        except BaseException as error:
            errors.append(error)
            step.abort()

    for planner in twins:
        planner.dynamodb.meta.events.register("before-parameter-build.dynamodb.UpdateItem", lockstep)
    threads = [threading.Thread(target=run, args=(planner,)) for planner in twins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = env.queued_ids()
    assert len(ids) == len(set(ids)) == 12 == sum(r.requeued for r in reports)
    assert all(n["requeued_at"] == iso(when) for n in env.notices())


# ---------------------------------------------------------------- through the functions

def scheduled_event(day: date) -> dict[str, Any]:
    with open("events/planner-schedule.json", encoding="utf-8") as f:
        event = json.load(f)
    event["time"] = run_time(day, programs()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return event


def test_planner_and_sender_functions_end_to_end(env: Env, lambdas: LambdaRunner) -> None:
    env.put(coverage(), coverage("6172014509850011", phone=None, sms_capable=False),
            coverage("6172014509850012", phone="+6281234567899"))
    env.sns_opt_out("+6281234567899")
    day = END - timedelta(days=30)
    with time_machine.travel(run_time(day, programs()), tick=True):
        report = lambdas.invoke("PlannerFunction", scheduled_event(day))
        stats = lambdas.drain_queue("ReminderQueue", "SenderFunction")
    assert report["planned"] == 3 and stats["failed"] == 0
    assert sorted(n["status"] for n in env.notices()) == ["no_phone", "opted_out", "sent"]
    assert len(env.sms()) == 1


def test_the_function_requeueing_the_outbox_calls_only_what_it_is_granted(env: Env, lambdas: LambdaRunner) -> None:
    """The outbox take is an UpdateItem of a NOTICE# item: the planner's role grants it (the day's ledger's
    UpdateItem is for RUN# keys only)."""
    from lindungi_dev.grants import CallRecorder, missing_grants

    day = _crash_between_put_and_queue(env)
    recorder = CallRecorder(env.stack)
    later = run_time(day, programs()) + timedelta(minutes=20)
    event = {**scheduled_event(day), "time": later.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    with time_machine.travel(later, tick=True), recorder.recording():
        report = lambdas.invoke("PlannerFunction", event)
    assert report["requeued"] == 1
    assert ("dynamodb:UpdateItem", "NoticesTable") in {(c.action, c.resource.split("/")[0]) for c in recorder.calls}
    assert missing_grants(env.stack, recorder.calls) == []


def test_sample_events_decode() -> None:
    with open("events/sender-sqs-batch.json", encoding="utf-8") as f:
        batch = json.load(f)
    assert [r["attributes"]["ApproximateReceiveCount"] for r in batch["Records"]] == ["1", "3"]
    assert scheduled_event(date(2025, 5, 24))["time"] == "2025-05-24T02:00:00Z"


@pytest.fixture(autouse=True)
def _clear_sms() -> Iterator[None]:
    yield
    for backend in sns_backends[ACCOUNT].values():
        backend.sms_messages.clear()


def test_remind_command_plans_for_the_given_day(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    from lindungi.ops.cli import main

    env.put(coverage())
    assert main(["remind", "--today", (END - timedelta(days=7)).isoformat(), "--dry-run"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert preview["dry_run"] and preview["by_stage"] == {"7": 1} and env.queued_ids() == []
    assert main(["remind", "--today", (END - timedelta(days=7)).isoformat()]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["planned"] == 1 and len(env.queued_ids()) == 1

