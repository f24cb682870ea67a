"""Stop and restart every reminder SMS at once: ``python -m lindungi sms pause|resume|status``.

For a wrong template, a sender ID a carrier blocked, a spend spike: AWS's own two switches, no flag in our code.

- the planner's daily schedule (EventBridge Scheduler, output ``PlannerScheduleName``): ``DISABLED``, so no
  run plans or requeues anything;
- the sender's SQS event source mapping (output ``SenderFunctionName``): ``Enabled=false``, so Lambda stops
  taking reminders off ``ReminderQueue``. What is on the queue stays there (14 days' retention), a planner
  run already under way (its continuation) adds to it, and nothing is sent.

Pause turns the mapping off first (sending stops at once), then the schedule. Resume turns the mapping on
first, so what waited is sent, oldest first as SQS hands it out, then the schedule. A reminder is still sent
at most once (the sender claims each notice) and never after its cover ended (the sender records it
``expired``). Each switch is recorded: an audit line (who, what, why), CloudTrail's record of the
``UpdateEventSourceMapping`` and ``UpdateSchedule`` calls, and the ``SmsPaused`` metric (1 paused, 0 resumed)
whose alarm ``SmsPausedAlarm`` and graph on the dashboard show the pause until resume.

A deploy while paused leaves both switches as they are unless it changes the schedule or the mapping itself:
run ``sms status`` after a deploy.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from lindungi.ops.audit import audit, caller

PAUSED_METRIC = "SmsPaused"
READ_ONLY = frozenset({"Arn", "CreationDate", "LastModificationDate", "ResponseMetadata", "State"})
"""What GetSchedule returns that UpdateSchedule does not take (UpdateSchedule replaces the whole schedule)."""


@dataclass(frozen=True)
class Switches:
    schedule: str
    sender_function: str
    schedule_group: str = "default"


@dataclass(frozen=True)
class SendingState:
    schedule: str
    """The planner schedule's state: ``ENABLED`` or ``DISABLED``."""
    mappings: dict[str, str]
    """The sender's event source mappings (UUID -> ``Enabled``, ``Disabling``, ``Disabled``, ``Enabling``...)."""

    @property
    def paused(self) -> bool:
        return self.schedule == "DISABLED" and all(s in {"Disabled", "Disabling"} for s in self.mappings.values())

    @property
    def running(self) -> bool:
        return self.schedule == "ENABLED" and all(s in {"Enabled", "Enabling"} for s in self.mappings.values())

    def to_dict(self) -> dict[str, Any]:
        word = "paused" if self.paused else "running" if self.running else "partly paused"
        return {"sending": word, **asdict(self)}


def _mappings(lambda_: Any, function: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for page in lambda_.get_paginator("list_event_source_mappings").paginate(FunctionName=function):
        found |= {m["UUID"]: m.get("State", "") for m in page.get("EventSourceMappings", [])}
    if not found:
        raise LookupError(f"no event source mapping on {function}: is it the stack's SenderFunctionName?")
    return found


def status(scheduler: Any, lambda_: Any, switches: Switches) -> SendingState:
    schedule = scheduler.get_schedule(Name=switches.schedule, GroupName=switches.schedule_group)
    return SendingState(str(schedule["State"]), _mappings(lambda_, switches.sender_function))


def _set_schedule(scheduler: Any, switches: Switches, state: str) -> None:
    schedule = scheduler.get_schedule(Name=switches.schedule, GroupName=switches.schedule_group)
    if schedule["State"] != state:
        scheduler.update_schedule(**{k: v for k, v in schedule.items() if k not in READ_ONLY}, State=state)


def _set_mappings(lambda_: Any, switches: Switches, enabled: bool) -> None:
    for uuid in _mappings(lambda_, switches.sender_function):
        lambda_.update_event_source_mapping(UUID=uuid, Enabled=enabled)


def set_sending(scheduler: Any, lambda_: Any, cloudwatch: Any, switches: Switches, *, paused: bool, who: str,
                reason: str = "", now: datetime | None = None) -> SendingState:
    """Pause (``paused=True``) or resume every SMS; the state afterwards. Doing it twice changes nothing."""
    if paused:
        _set_mappings(lambda_, switches, enabled=False)
        _set_schedule(scheduler, switches, "DISABLED")
    else:
        _set_mappings(lambda_, switches, enabled=True)
        _set_schedule(scheduler, switches, "ENABLED")
    cloudwatch.put_metric_data(Namespace="Lindungi", MetricData=[{
        "MetricName": PAUSED_METRIC, "Dimensions": [{"Name": "service", "Value": "ops"}],
        "Timestamp": now or datetime.now(UTC), "Value": 1.0 if paused else 0.0, "Unit": "Count"}])
    state = status(scheduler, lambda_, switches)
    audit("sms paused" if paused else "sms resumed", who, reason=reason, schedule=switches.schedule,
          sender_function=switches.sender_function, state=state.to_dict())
    return state


def _run(args: argparse.Namespace) -> int:
    import boto3

    from lindungi.settings import PauseSettings

    settings = PauseSettings.from_env()
    schedule, function = args.schedule or settings.planner_schedule, args.sender_function or settings.sender_function
    if not schedule or not function:
        print("sms: give --schedule and --sender-function, or set PLANNER_SCHEDULE_NAME and SENDER_FUNCTION "
              "(the stack outputs PlannerScheduleName and SenderFunctionName)")
        return 2
    switches = Switches(schedule, function)
    scheduler, lambda_ = boto3.client("scheduler"), boto3.client("lambda")
    if args.action == "status":
        state = status(scheduler, lambda_, switches)
    else:
        if args.action == "pause" and not args.reason:
            print("sms pause: say why with --reason (it goes in the audit line)")
            return 2
        state = set_sending(scheduler, lambda_, boto3.client("cloudwatch"), switches, paused=args.action == "pause",
                            who=caller(boto3.client("sts")), reason=args.reason or "")
    print(json.dumps(state.to_dict(), indent=1, sort_keys=True))
    return 0 if args.action == "status" or state.paused == (args.action == "pause") else 1


def add_parser(commands: Any) -> None:
    """``python -m lindungi sms``."""
    parser = commands.add_parser("sms", help="pause, resume or show all reminder SMS (the planner's schedule and "
                                             "the sender's event source mapping)",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["pause", "resume", "status"])
    parser.add_argument("--reason", help="why (pause: required), e.g. 'wrong template text, ticket 123'")
    parser.add_argument("--schedule", help="the planner's schedule (default: PLANNER_SCHEDULE_NAME)")
    parser.add_argument("--sender-function", help="the sender function (default: SENDER_FUNCTION)")
    parser.set_defaults(run=_run)
