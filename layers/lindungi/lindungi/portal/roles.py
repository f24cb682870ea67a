"""Who may see what: the roles of the portal, from Cognito groups, and the scope of every object.

A user's role is the Cognito group they are in (``kantor``, ``kota``, ``bpjs``, ``operator``); an office
user (``kantor``) also carries ``custom:office``, the office id its uploads and reports live under
(``incoming/<program>/<office>/``, ``reports/<program>/<office>/``). The office is a user attribute that
only an administrator can set (the app client cannot write it), not a group per office: one group per role
keeps the pool's groups fixed whatever the number of offices, and the attribute is in the ID token the
portal verifies on every request. No group, or two role groups, or an office user without a valid office:
no data (``Staff.from_claims`` answers None).

Every check is here, on the server, per object: a key of another office's upload or report is refused
whatever page asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lindungi.intake import keys
from lindungi.offices import is_office


class Role(StrEnum):
    OFFICE = "kantor"
    """A kelurahan/kecamatan office or a dinas unit: uploads lists and reads its own uploads' reports."""
    CITY = "kota"
    """Dinas: every office's uploads and reports, the rekap, worker look-ups."""
    BRANCH = "bpjs"
    """The BPJS Ketenagakerjaan branch: worker look-ups, opt-outs and new numbers, the rekap."""
    OPERATOR = "operator"
    """Lindungi's operators: everything the city sees, and the branch's worker actions."""


MFA_REQUIRED = frozenset({Role.CITY, Role.BRANCH, Role.OPERATOR})
"""Roles that see every office's lists or every worker: no session without TOTP (Cognito cannot require MFA
per group, so the portal refuses their sign-in until TOTP is set up)."""


@dataclass(frozen=True)
class Staff:
    """The signed-in user, from a verified ID token."""

    username: str
    role: Role
    office: str | None
    """The office id of a ``kantor`` user; None for the other roles."""
    office_name: str | None = field(default=None, compare=False)
    """The office's name as staff read it (``programs.json``'s ``offices``; the session sets it), for pages."""

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Staff | None:
        """The user an ID token's claims name, or None when they give no role (no data for them)."""
        username = str(claims.get("cognito:username") or "")
        groups = claims.get("cognito:groups") or []
        roles = {Role(g) for g in groups if isinstance(g, str) and g in Role._value2member_map_}
        if not username or len(roles) != 1:
            return None
        role = roles.pop()
        if role is Role.OFFICE:
            office = str(claims.get("custom:office") or "")
            return cls(username, role, office) if is_office(office) else None
        return cls(username, role, None)

    @property
    def needs_mfa(self) -> bool:
        return self.role in MFA_REQUIRED

    @property
    def uploads(self) -> bool:
        """Offices upload lists; the other roles read."""
        return self.role is Role.OFFICE

    @property
    def sees_every_office(self) -> bool:
        return self.role in (Role.CITY, Role.OPERATOR)

    @property
    def looks_workers_up(self) -> bool:
        return self.role in (Role.CITY, Role.BRANCH, Role.OPERATOR)

    @property
    def changes_contacts(self) -> bool:
        """Opt a number out, record a new number: the branch (where workers come) and operators."""
        return self.role in (Role.BRANCH, Role.OPERATOR)

    @property
    def reads_rekap(self) -> bool:
        return self.role in (Role.CITY, Role.BRANCH, Role.OPERATOR)

    def may_read(self, key: str) -> bool:
        """Whether this user may read the object ``key`` (an upload's report, its fix-up workbook, a rekap).

        An office reads only what is under its own folder; the city and operators read every upload's report;
        the rekap is for the roles that read it. Nothing outside ``reports/`` is read through the portal."""
        if not key.startswith(keys.REPORTS) or ".." in key.split("/") or "//" in key:
            return False
        if key.startswith(keys.REKAP):
            return self.reads_rekap
        if self.sees_every_office:
            return True
        return self.role is Role.OFFICE and keys.office_from_key(key) == self.office

    def riwayat_office(self, asked: str | None) -> str | None:
        """The office whose riwayat this user may read when asking for ``asked``: an office only its own."""
        if self.role is Role.OFFICE:
            return self.office
        if self.sees_every_office and asked and is_office(asked):
            return asked
        return None
