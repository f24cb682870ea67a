"""Program settings, offices and run-time limits.

Programs (months, quota, default TMT, reminder stages) and the offices that upload
lists (their ids and names) are data shipped with the code in ``programs.json``: a
new program, budget year or office is a change to that file, not to code.
Limits and resource names come from environment variables, read in
``lindungi.settings``.
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
from lindungi.offices import is_office
from lindungi.renewal import RenewalWindow
from lindungi.settings import ProgramsSettings


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    months: int
    quota: int | None
    """The places the city pays for; None for a program without one (self-payers)."""
    default_start: date | None
    reminder_days: tuple[int, ...]
    """Days before the cover ends at which a reminder is due, most distant first; empty when the program's
    ``reminders`` is off (its covers get no ``remind_key``, so the planner never reads them)."""
    aliases: tuple[str, ...] = ()
    reminder_windows: dict[int, int] = field(default_factory=dict)
    """Per stage, the most days before the end it may go out (its window opens); a stage not named opens on its day."""
    partition: int | None = None
    """The first stage of ``reminder_days`` as configured, on or off: the ``ByEndDate`` partition a cover is
    stored under, so that reminders switched on later find the covers listed while they were off."""
    self_paid: bool = False
    """Covers the worker pays (BPU mandiri, listed by the branch): renewals of the city's covers, no quota,
    reminded only when the program's ``reminders`` says so, in its own words."""

    def window_opens(self, stage: int) -> int:
        return self.reminder_windows.get(stage, stage)


@dataclass(frozen=True)
class Reminders:
    """How renewal reminders are worded and when they may go out (``programs.json``, ``reminders``)."""

    templates: dict[int, str] = field(default_factory=dict)
    """SMS template per stage (days before the end); see ``sms.render`` for placeholders and ``[optional]`` parts."""
    program_templates: dict[str, dict[int, str]] = field(default_factory=dict)
    """Per-program overrides of ``templates`` (a program's ``templates`` in ``programs.json``)."""
    program_defaults: dict[str, str] = field(default_factory=dict)
    """Per program, the template of a stage its ``templates`` does not name (its ``default``)."""
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
        return (self.program_templates.get(program, {}).get(stage) or self.program_defaults.get(program)
                or self.templates.get(stage) or self.default_template)

    def has_own_words(self, program: str, stage: int) -> bool:
        return bool(self.program_templates.get(program, {}).get(stage) or self.program_defaults.get(program))


def _stage_templates(raw: dict[str, str]) -> dict[int, str]:
    return {int(k): v for k, v in raw.items() if k != "default" and not k.startswith("_")}


def _reminders(raw: dict[str, Any] | None, programs: dict[str, Any]) -> Reminders:
    raw = raw or {}
    window = raw.get("send_window", {})
    own = {pid: p["templates"] for pid, p in programs.items() if p.get("templates")}
    reminders = Reminders(
        templates=_stage_templates(raw.get("templates", {})),
        program_templates={
            pid: _stage_templates(t) for pid, t in (raw.get("program_templates", {}) | own).items()
        },
        program_defaults={pid: t["default"] for pid, t in own.items() if t.get("default")},
        default_template=raw.get("templates", {}).get("default", sms.DEFAULT_TEMPLATE),
        send_from_hour=int(window.get("from_hour", 8)),
        send_until_hour=int(window.get("until_hour", 20)),
        sender_id=raw.get("sender_id") or None,
        name_fallback=raw.get("name_fallback", sms.NAME_FALLBACK),
        missed_runs_tolerated=int(raw.get("planning", {}).get("missed_runs_tolerated", 2)),
    )
    templates = [reminders.default_template, *reminders.templates.values()]
    templates += [t for by_stage in reminders.program_templates.values() for t in by_stage.values()]
    templates += list(reminders.program_defaults.values())
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
    offices: dict[str, str] = field(default_factory=dict)
    """Office id -> the name staff read (``"kel-pasiran": "Kel. Pasiran"``): the offices that upload lists."""

    def office_name(self, office: str) -> str:
        """The office's name; an office not configured is shown by its id (its lists are still its own)."""
        return self.offices.get(office, office)

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
    """A program of ``programs.json``. ``quota`` is optional (a program without one has no quota line on the
    rekap); ``self_paid`` programs may not have one. ``reminders`` (default: on for the city's programs, off
    for self-paid ones) switches its reminder stages on or off; a self-paid program reminded needs its own
    ``templates`` (a self-payer is told their paid period ends, not the city's cover)."""
    start = raw.get("default_start")
    self_paid = bool(raw.get("self_paid", False))
    quota = raw.get("quota")
    if self_paid and quota is not None:
        raise ValueError(f"{program_id}: a self-paid program has no quota (it is not a place the city pays)")
    reminded = bool(raw.get("reminders", not self_paid))
    days = tuple(sorted((int(d) for d in raw.get("reminder_days", ())), reverse=True))
    if reminded and not days:
        raise ValueError(f"{program_id}: reminders on, but no reminder_days")
    if reminded and self_paid and not raw.get("templates"):
        raise ValueError(f"{program_id}: a self-paid program reminded needs its own templates (worded for a "
                         "self-payer)")
    return Program(
        id=program_id,
        name=raw["name"],
        months=int(raw["months"]),
        quota=int(quota) if quota is not None else None,
        default_start=date.fromisoformat(start) if start else None,
        reminder_days=days if reminded else (),
        aliases=tuple(a.lower() for a in raw.get("aliases", ())),
        reminder_windows=_windows(program_id, raw) if reminded else {},
        partition=days[0] if days else None,
        self_paid=self_paid,
    )


def _windows(program_id: str, raw: dict[str, Any]) -> dict[int, int]:
    """``reminder_windows``: stage -> days before the end its window opens; windows may not overlap."""
    stages = sorted((int(d) for d in raw.get("reminder_days", ())), reverse=True)
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
    programs = Programs(
        timezone=ZoneInfo(raw["timezone"]),
        region_prefix=raw["region_prefix"],
        by_id={pid: _program(pid, p) for pid, p in raw["programs"].items()},
        reminders=_reminders(raw.get("reminders"), raw["programs"]),
        renewal=_renewal(raw.get("renewal") or {}),
        offices=_offices(raw.get("offices") or {}),
    )
    for program in programs.by_id.values():
        silent = [s for s in program.reminder_days if not programs.reminders.has_own_words(program.id, s)]
        if program.self_paid and silent:
            raise ValueError(f"{program.id}: no template of its own for stage {silent[0]} (a self-payer would "
                             "get the city's text)")
    return programs


def _offices(raw: dict[str, Any]) -> dict[str, str]:
    """``offices``: id -> name. An id is an office id (``lindungi.offices``: the folder its uploads go to and
    its users' ``custom:office``); a name is non-empty and no two offices share one (staff tell them apart by it)."""
    offices = {k: v for k, v in raw.items() if not k.startswith("_")}
    seen: dict[str, str] = {}
    for office, name in offices.items():
        if not is_office(office):
            raise ValueError(f"offices: {office!r} is not an office id (lower-case letters, digits, dashes)")
        if not isinstance(name, str) or not name.strip() or name != " ".join(name.split()):
            raise ValueError(f"offices: {office} needs a name (one line, no spaces around it)")
        if name.casefold() in seen:
            raise ValueError(f"offices: {office} and {seen[name.casefold()]} share the name {name!r}")
        seen[name.casefold()] = office
    return offices


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
