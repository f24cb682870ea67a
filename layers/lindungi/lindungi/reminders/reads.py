"""What the sender reads for one SQS batch, in as few requests as DynamoDB and SNS allow.

Two ``BatchGetItem`` (consistent) per batch: first the notices, their coverages and their workers' own items
(keys from the notice ids; of coverages and workers only ``CONTACT_FIELDS``), then the staff opt-out and the
carrier's unreachable marks of their numbers. The number is the worker's item's (the latest usable mobile any
list gave; a list without one erases none), else the cover's own. Whether a cover was renewed is
``lindungi.renewal``'s answer over the periods the worker's item lists; a worker without one (stored before
workers had items) is asked the old question in the second request: the same program's cover starting the day
after the end. The account's SNS opt-out list is read with its paginator once per ``optout_list_ttl`` seconds
and kept, not asked number by number.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lindungi.dynamo import batch_get
from lindungi.reminders.notices import Notice, coverage_key, notice_pk, optout_pk, unreachable_pk
from lindungi.renewal import Period, RenewalWindow
from lindungi.workers import WORKER_SK, coverage_sk, worker_key, worker_pk


@dataclass(frozen=True)
class Contact:
    phone: str | None
    sms_capable: bool
    superseded: bool


@dataclass(frozen=True)
class Read:
    """What ``BatchReader.read`` read for one notice."""

    notice: Notice | None
    contact: Contact
    staff_opted_out: bool
    unreachable: bool


CONTACT_FIELDS = ("pk", "sk", "phone", "phone_fallback", "sms_capable", "covers")
"""What the sender reads of a coverage and of a worker's own item: the numbers, whether they take SMS, the
periods. A coverage item also holds the list's row (``source_line``), its warnings and where it came from, which
DynamoDB would send and the sender parse for nothing (the read costs the same: DynamoDB charges by item size)."""


def _renewal_key(notice: Notice) -> dict[str, str]:
    """For a worker without an item of its own: the key of the cover that would continue this one without a
    gap (same program, TMT the day after the end)."""
    start = notice.ends + timedelta(days=1)
    return {"pk": worker_pk(notice.nik), "sk": coverage_sk(notice.program, start.isoformat())}


def _period(notice: Notice) -> Period:
    """The period of the cover a notice reminds of: its TMT from the notice id, its end from the notice."""
    start = coverage_key(notice.notice_id)["sk"].rsplit("#", 1)[-1]
    return Period(notice.program, date.fromisoformat(start), notice.ends)


class BatchReader:
    def __init__(self, dynamodb: Any, sns: Any, notices_table: str, workers_table: str,
                 optout_list_ttl: float = 300.0, renewal: RenewalWindow | None = None) -> None:
        self.dynamodb = dynamodb
        self.renewal = renewal or RenewalWindow()
        self.sns = sns
        self.notices_table = notices_table
        self.workers_table = workers_table
        self.optout_list_ttl = optout_list_ttl
        self._sns_list: tuple[float, frozenset[str]] | None = None

    def read(self, notice_ids: Sequence[str]) -> dict[str, Read]:
        """Read what a batch of deliveries needs in two ``BatchGetItem`` (consistent): the notices, their
        coverages and their workers' items (whose periods say whether each cover was renewed), then the
        opt-out and unreachable marks of their numbers (and, for a worker without an item, the next-day key).
        ``Unprocessed`` (``lindungi.dynamo``) when DynamoDB still leaves keys after the retries."""
        ids = list(dict.fromkeys(notice_ids))
        workers = [worker_key(nik) for nik in dict.fromkeys(i.split("#", 1)[0] for i in ids)]
        first = {self.notices_table: [{"pk": notice_pk(i)} for i in ids],
                 self.workers_table: [coverage_key(i) for i in ids] + workers}
        got = batch_get(self.dynamodb, first, fields={self.workers_table: CONTACT_FIELDS})
        notices = {str(n["notice_id"]): Notice.from_item(n) for n in got[self.notices_table] if "notice_id" in n}
        coverages = {(c["pk"], c["sk"]): c for c in got[self.workers_table]}
        periods = {str(w["pk"]): [Period.of_token(t) for t in w.get("covers") or []]
                   for (_, sk), w in coverages.items() if sk == WORKER_SK}
        superseded = {i: self.renewal.renewed(_period(n), periods[pk])
                      for i, n in notices.items() if (pk := worker_pk(n.nik)) in periods}
        renewals = {i: _renewal_key(n) for i, n in notices.items() if i not in superseded}
        contacts = {str(w["pk"]): (str(w["phone"]), w.get("phone_fallback")) for (_, sk), w in coverages.items()
                    if sk == WORKER_SK and w.get("phone")}
        phones = {str(c[f]) for c in coverages.values() for f in ("phone", "phone_fallback") if c.get(f)}
        second = {self.notices_table: [{"pk": p} for e in sorted(phones)
                                                for p in (optout_pk(e), unreachable_pk(e))],
                  self.workers_table: list(renewals.values())}
        more = batch_get(self.dynamodb, second, fields={self.notices_table: ["pk"], self.workers_table: ["pk", "sk"]})
        marks = {str(m["pk"]) for m in more[self.notices_table]}
        renewed = {(c["pk"], c["sk"]) for c in more[self.workers_table]}
        read: dict[str, Read] = {}
        for i in ids:
            notice = notices.get(i)
            own = coverages.get(tuple(coverage_key(i).values()))  # type: ignore[arg-type]
            latest, fallback = contacts.get(worker_pk(i.split("#", 1)[0]), (None, None))
            if latest and fallback and unreachable_pk(latest) in marks and unreachable_pk(fallback) not in marks:
                latest = str(fallback)  # the first number was reported dead: the second of the same cell
            phone = latest or (own or {}).get("phone") or None
            usable = latest is not None or bool(own and own.get("sms_capable"))
            contact = Contact(phone, usable and phone is not None,
                              superseded.get(i, False) or (i in renewals and tuple(renewals[i].values()) in renewed))
            read[i] = Read(notice, contact, phone is not None and optout_pk(phone) in marks,
                                 phone is not None and unreachable_pk(phone) in marks)
        return read

    def sns_opted_out(self, e164: str) -> bool:
        """On the account's SNS opt-out list, read (paginated) once per ``optout_list_ttl`` and kept."""
        if self._sns_list is None or time.monotonic() - self._sns_list[0] > self.optout_list_ttl:
            numbers: set[str] = set()
            for page in self.sns.get_paginator("list_phone_numbers_opted_out").paginate():
                numbers.update(page.get("phoneNumbers", []))
            self._sns_list = (time.monotonic(), frozenset(numbers))
        return e164 in self._sns_list[1]
