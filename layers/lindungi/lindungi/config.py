"""Program settings and run-time limits.

Programs (months, quota, default TMT, reminder stages) are data shipped with
the code in ``programs.json``: a new program or budget year is a change to
that file, not to code. Limits and resource names come from environment
variables, read in ``lindungi.settings``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from lindungi import sms
from lindungi.renewal import RenewalWindow
from lindungi.settings import ProgramsSettings


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    months: int
    quota: int
    default_start: date | None
    reminder_days: tuple[int, ...]
    """Days before the cover ends at which a reminder is due, most distant first."""
    aliases: tuple[str, ...] = ()
    reminder_windows: dict[int, int] = field(default_factory=dict)
    """Per stage, the most days before the end it may go out (its window opens); a stage not named opens on its day."""

    def window_opens(self, stage: int) -> int:
        return self.reminder_windows.get(stage, stage)


@dataclass(frozen=True)
class Reminders:
    """How renewal reminders are worded and when they may go out (``programs.json``, ``reminders``)."""

    templates: dict[int, str] = field(default_factory=dict)
    """SMS template per stage (days before the end); see ``sms.render`` for placeholders and ``[optional]`` parts."""
    program_templates: dict[str, dict[int, str]] = field(default_factory=dict)
    """Per-program overrides of ``templates``."""
    default_template: str = sms.DEFAULT_TEMPLATE
    send_from_hour: int = 8
    send_until_hour: int = 20
    """SMS go out from ``send_from_hour``:00 to ``send_until_hour``:00 local time (WIB), never outside."""
    sender_id: str | None = None
    """Alphanumeric sender ID, only if registered for Indonesia; none by default."""
    name_fallback: str = sms.NAME_FALLBACK
    missed_runs_tolerated: int = 2
    """The planner plans so that every stage still fits before its last day if this many daily runs fail."""

    def template(self, program: str, stage: int) -> str:
        return self.program_templates.get(program, {}).get(stage) or self.templates.get(stage) or self.default_template


def _reminders(raw: dict[str, Any] | None) -> Reminders:
    if not raw:
        return Reminders()
    window = raw.get("send_window", {})
    reminders = Reminders(
        templates={int(k): v for k, v in raw.get("templates", {}).items() if k != "default"},
        program_templates={
            pid: {int(k): v for k, v in t.items()} for pid, t in raw.get("program_templates", {}).items()
        },
        default_template=raw.get("templates", {}).get("default", sms.DEFAULT_TEMPLATE),
        send_from_hour=int(window.get("from_hour", 8)),
        send_until_hour=int(window.get("until_hour", 20)),
        sender_id=raw.get("sender_id") or None,
        name_fallback=raw.get("name_fallback", sms.NAME_FALLBACK),
        missed_runs_tolerated=int(raw.get("planning", {}).get("missed_runs_tolerated", 2)),
    )
    templates = [reminders.default_template, *reminders.templates.values()]
    templates += [t for by_stage in reminders.program_templates.values() for t in by_stage.values()]
    for template in templates:
        sms.check_template(template)  # a bad template fails at load, not at 09:00 on a worker's phone
    if not 0 <= reminders.send_from_hour < reminders.send_until_hour <= 24:
        raise ValueError("reminders.send_window: from_hour must be before until_hour, within 0-24")
    return reminders


@dataclass(frozen=True)
class Programs:
    timezone: ZoneInfo
    region_prefix: str
    by_id: dict[str, Program] = field(default_factory=dict)
    reminders: Reminders = field(default_factory=Reminders)
    renewal: RenewalWindow = field(default_factory=RenewalWindow)
    """When a later cover counts as renewing an earlier one (``lindungi.renewal``)."""

    def get(self, program_id: str | None) -> Program | None:
        return self.by_id.get(program_id) if program_id else None

    def match(self, text: str) -> Program | None:
        """The program a cell such as "Pekerja Rentan" or "BPU Sawit" names."""
        key = " ".join(text.lower().replace("-", " ").replace("_", " ").split())
        for program in self.by_id.values():
            if key == program.id.replace("-", " ") or key in program.aliases or key == program.name.lower():
                return program
        return None


def _program(program_id: str, raw: dict[str, Any]) -> Program:
    start = raw.get("default_start")
    return Program(
        id=program_id,
        name=raw["name"],
        months=int(raw["months"]),
        quota=int(raw["quota"]),
        default_start=date.fromisoformat(start) if start else None,
        reminder_days=tuple(sorted((int(d) for d in raw["reminder_days"]), reverse=True)),
        aliases=tuple(a.lower() for a in raw.get("aliases", ())),
        reminder_windows=_windows(program_id, raw),
    )


def _windows(program_id: str, raw: dict[str, Any]) -> dict[int, int]:
    """``reminder_windows``: stage -> days before the end its window opens; windows may not overlap."""
    stages = sorted((int(d) for d in raw["reminder_days"]), reverse=True)
    windows = {int(k): int(v) for k, v in raw.get("reminder_windows", {}).items() if not k.startswith("_")}
    for earlier, stage in pairwise(stages):
        if windows.get(stage, stage) >= earlier:
            raise ValueError(f"{program_id}: the window of stage {stage} opens on or before stage {earlier}'s day")
    for stage, opens in windows.items():
        if stage not in stages or opens < stage:
            raise ValueError(f"{program_id}: reminder_windows {stage}: {opens} must name a stage and be >= it")
    return windows


def load_programs(text: str) -> Programs:
    raw = json.loads(text)
    return Programs(
        timezone=ZoneInfo(raw["timezone"]),
        region_prefix=raw["region_prefix"],
        by_id={pid: _program(pid, p) for pid, p in raw["programs"].items()},
        reminders=_reminders(raw.get("reminders")),
        renewal=_renewal(raw.get("renewal") or {}),
    )


def _renewal(raw: dict[str, Any]) -> RenewalWindow:
    defaults = RenewalWindow()
    return RenewalWindow(before=int(raw.get("from_days_before_end", defaults.before)),
                         after=int(raw.get("until_days_after_end", defaults.after)))


@cache
def programs() -> Programs:
    """The shipped programs, or the file named by ``LINDUNGI_PROGRAMS_FILE``."""
    override = ProgramsSettings.from_env().programs_file
    if override:
        with open(override, encoding="utf-8") as f:
            return load_programs(f.read())
    return load_programs(resources.files(__package__).joinpath("programs.json").read_text("utf-8"))
