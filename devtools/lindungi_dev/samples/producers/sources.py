"""The lists the producers print: office workbooks (``office_exports.Case``) and the text of their cells.

Every fixture of the producers' corpus is made from one of these and must read like its workbook
(``<source>.xlsx``, committed beside the fixtures): the same accepted rows, the same rejected rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from lindungi_dev import samples
from lindungi_dev.samples import office_exports
from lindungi_dev.samples.office_exports import Case

FLAT = ("No", "NIK", "Nama Lengkap", "Tanggal Lahir", "L/P", "No. HP/WA", "Alamat", "Kelurahan", "Kecamatan",
        "Jenis Pekerjaan", "TMT")
WIDTHS = {"No": 4, "NIK": 14, "Nama Lengkap": 14, "Tanggal Lahir": 8, "L/P": 3, "No. HP/WA": 12, "Alamat": 15,
          "Kelurahan": 8, "Kecamatan": 10, "Jenis Pekerjaan": 9, "TMT": 8, "Program": 7}
"""Share of the table's width (percent-like weights) of each column, by its label with breaks as spaces."""
WIDTHS |= {"Tgl. Lahir": 8, "No. HP": 12, "Kel/Desa": 8, "TMT KEPESERTAAN": 9}
NARROW_DROPS = {"Alamat", "Kelurahan", "Kel/Desa", "Jenis Pekerjaan"}


@dataclass(frozen=True)
class Table:
    """A list as a web application or a letter shows it: a title, one header row, one line of texts a worker."""

    name: str
    program: str | None
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def narrow(self) -> Table:
        """The print view of a portrait page: without the address, the kelurahan and the occupation."""
        keep = [i for i, label in enumerate(self.header) if label not in NARROW_DROPS]
        return Table(self.name, self.program, self.title, tuple(self.header[i] for i in keep),
                     tuple(tuple(row[i] for i in keep) for row in self.rows))

    def weights(self) -> list[float]:
        raw = [WIDTHS.get(label.replace("\n", " "), 8) for label in self.header]
        return [w / sum(raw) for w in raw]


def _daftar() -> Case:
    """40 vulnerable workers in one sheet, a one-row header, the hard names, every fifth row faulty, one duplicate."""
    people, _ = samples.plant_faults(samples.workers(40, "pekerja-rentan", seed=31), every=5)
    people = office_exports.harden(people)  # the office corpus's own hard names
    people.insert(25, replace(people[4]))  # the same worker listed twice: the second is duplicate_in_file
    return Case("daftar", "pekerja-rentan", tuple(people), FLAT, False, False, False, False, ())


def cases() -> dict[str, Case]:
    """``daftar`` (program from the folder), ``campuran`` (a Program column, TMTs as dates) and ``kecamatan``
    (one sheet a kecamatan, the two-row KONTAK header): the last two are the office corpus's own."""
    office = {case.name: case for case in office_exports.cases()}
    return {"daftar": _daftar(), "campuran": office["campuran"], "kecamatan": office["kecamatan"]}


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y")
    return str(value)


def table(case: Case) -> Table:
    """The case's one-sheet list as texts (a number as typed, a date as the workbook shows it, Alt+Enter kept)."""
    if case.by_kecamatan or case.group_header:
        raise ValueError(f"{case.name}: a printed list is one sheet with a one-row header")
    rows = tuple(tuple(_text(v) for v in office_exports.cell_values(case, n, w))
                 for n, w in enumerate(case.people, start=1))
    return Table(case.name, case.program, samples.title(case.program or "pekerja-rentan"),
                 tuple(label.replace("\n", " ") for label in case.header), rows)
