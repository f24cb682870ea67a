"""Lists as a clerk exports them from LibreOffice Calc: the fixture corpus of ``tests/fixtures/office/``.

Each case is a small office workbook (``<case>.xlsx``, written here with xlsxwriter from
``samples.workers()`` people, faults planted) in two print set-ups, made in the source
workbook so that LibreOffice honours them: the default print (no borders, landscape, fit to
one page wide, columns widened to their content) and the "All Borders" print
(``<case>-ruled.xlsx``: every cell ruled, narrower name and address columns whose text
wraps). Headless LibreOffice then exports them as a clerk would:

    <case>.pdf          File > Export as PDF of the default print
    <case>-ruled.pdf    the same of the All Borders print
    <case>-ruled-lowrows.pdf  the All Borders print of rows never made taller: wrapped text runs over
                        the ruling lines into the rows around it (the reader must say it is unsure)
    <case>.ods  .xls    File > Save as
    <case>[-<sheet>].csv  Save as "Text CSV", Windows-1252, ``;`` (``,`` for ``-koma``), one file a sheet

``manifest.json`` lists every export with the source it must read exactly like, the program
folder it is checked under, the sheet each CSV holds, and the exports that the reader may only
read where it is sure (``unsure``). CI has no LibreOffice: tests read only the committed files.

Refresh (LibreOffice from Debian: ``apt-get install libreoffice-calc-nogui``), then commit the folder:

    .venv/bin/python -m lindungi_dev.samples.office_exports [--out tests/fixtures/office]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from lindungi_dev import samples

OUT = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "office"
CSV_FILTER = "Text - txt - csv (StarCalc)"
"""LibreOffice's CSV filter; options: separator, quote, charset (1 = Windows-1252), first line,
cell formats, language, quoted as text, detect numbers, as shown, formulas, trim, sheet (-1 = every sheet)."""
PROGRAM_LABELS = {"pekerja-rentan": ("Rentan", "Pekerja Rentan", "BPU Rentan"), "pekerja-sawit": ("Sawit", "PS")}
HARD_NAMES = ["Tjhai Mui Fa", "BONG SIU LAN", "NUR\nFADILLAH", "JOSÉ MUÑOZ", "FRANÇOISE LIM", "MA’RUF AMIN",
              "MUHAMMAD RIZKY FIRMANSYAH SAPUTRA", "SRI RAHAYU NINGSIH PURNAMASARI", "D’COSTA ÑOÑO"]
"""Names that wrap in a narrow cell, broken by Alt+Enter, or carry letters outside ASCII (all in Windows-1252)."""
LONG_ADDRESS = "Jl. Gunung Bawang Gg. Keluarga No. 12 RT 003 RW 002"


@dataclass(frozen=True)
class Case:
    name: str
    program: str | None
    """The folder it is uploaded to (None: the Program column says)."""
    people: tuple[samples.Worker, ...]
    header: tuple[str, ...]
    group_header: bool
    """A two-row header with the "KONTAK" group over "No. HP/WA" and "Alamat" (else one row, wrapped texts)."""
    by_kecamatan: bool
    program_column: bool
    tmt_as_date: bool
    separators: tuple[str, ...]


def _people(program: str, n: int, seed: int, every: int) -> list[samples.Worker]:
    people, _ = samples.plant_faults(samples.workers(n, program, seed=seed), every=every)
    return people


def harden(people: list[samples.Worker]) -> list[samples.Worker]:
    """The hard names at the start (Tjhai Mui Fa just above BONG SIU LAN), long addresses every fifth row."""
    out = []
    for i, w in enumerate(people):
        if i < len(HARD_NAMES) and w.name:
            w = replace(w, name=HARD_NAMES[i])
        if i % 5 == 2:
            w = replace(w, address=LONG_ADDRESS)
        out.append(w)
    return out


def cases() -> list[Case]:
    kecamatan = harden(_people("pekerja-rentan", 36, seed=21, every=5))
    rentan, sawit = _people("pekerja-rentan", 40, seed=22, every=6), _people("pekerja-sawit", 20, seed=23, every=6)
    mixed = [w for pair in zip(rentan[::2], rentan[1::2], sawit, strict=True) for w in pair]  # one office's list
    two_row = tuple(samples.HEADER_TOP)
    wrapped = ("No", "NIK", "Nama\nLengkap", "Tgl.\nLahir", "L/P", "No.\nHP", "Alamat", "Kel/Desa", "Kecamatan",
               "Jenis\nPekerjaan", "TMT\nKEPESERTAAN", "Program")
    return [
        Case("kecamatan", "pekerja-rentan", tuple(kecamatan), two_row, True, True, False, False, (";",)),
        Case("campuran", None, tuple(harden(mixed)), wrapped, False, False, True, True, (";", ",")),
    ]


def cell_values(case: Case, number: int, w: samples.Worker) -> list[object]:
    """One worker's row as the workbook holds it (numbers, dates and texts)."""
    values: list[object] = list(samples.row_values(number, w))
    values[0] = number  # a number cell: right-aligned, as Calc shows a typed 1, 2, 3
    if case.tmt_as_date:
        with contextlib.suppress(ValueError):  # the planted bad date stays text
            values[10] = datetime.strptime(w.tmt, "%d-%m-%Y")
    if case.program_column:
        labels = PROGRAM_LABELS[w.program]
        values.append(labels[number % len(labels)])
    return values


def _widths(case: Case, rows: Sequence[Sequence[object]], ruled: bool) -> list[float]:
    """Columns widened to their content (Calc's optimal width); the ruled print keeps names and addresses narrow."""
    widths = []
    for col in range(len(case.header)):
        texts = [str(r[col]) for r in rows if col < len(r)] + case.header[col].split("\n")
        longest = max(max((len(p) for p in t.split("\n")), default=0) for t in texts)
        widths.append(min(longest, 40) * 1.1 + 2)
    if ruled:
        widths[2], widths[6] = 16, 18
    return widths


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell of ``width`` characters takes for ``text`` (generous: capitals are wide)."""
    count = 0
    for part in text.split("\n"):
        line = 0.0
        count += 1
        for word in part.split():
            size = len(word) * 1.15
            if line and line + 1 + size > width - 1:
                count, line = count + 1, size
            else:
                line += size + (1 if line else 0)
    return count


def _row_height(values: Sequence[object], widths: Sequence[float], wrapped: bool) -> float | None:
    """Calc's optimal row height for a row whose cells wrap (15 pt a line), None for one line."""
    lines = max(_lines(str(v), w) if wrapped or "\n" in str(v) else 1 for v, w in zip(values, widths, strict=False))
    return 15.0 * lines if lines > 1 else None


def workbook(case: Case, ruled: bool, tall_rows: bool = True, portrait: bool = False, repeat: bool = True) -> bytes:
    """The case's workbook; ``tall_rows=False`` leaves every row at the default height, so wrapped
    text overflows onto the rows around it in print (what Calc prints of a file whose heights were never fitted);
    ``portrait`` prints it on portrait pages at 100% (no fit to width: columns that do not fit go to other pages);
    ``repeat=False`` prints the header on the first page only (no print titles)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    border = {"border": 1} if ruled else {}
    head = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, **border})
    cell = book.add_format({"valign": "bottom", **border})
    wrap = book.add_format({"valign": "bottom", "text_wrap": True, **border})
    day = book.add_format({"num_format": "dd-mm-yyyy", "valign": "bottom", **border})
    groups: dict[str, list[samples.Worker]] = {}
    for w in case.people:
        key = f"Kec. {w.kecamatan.replace('Singkawang ', '')}" if case.by_kecamatan else "Daftar"
        groups.setdefault(key, []).append(w)
    for sheet_name, members in groups.items():
        sheet = book.add_worksheet(sheet_name)
        sheet.set_paper(9)  # A4
        if portrait:
            sheet.set_portrait()
        else:
            sheet.set_landscape()
            sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        sheet.set_footer("&CHalaman &P dari &N")
        sheet.write(0, 0, samples.title(members[0].program if case.program else "pekerja-rentan"))
        sheet.write(1, 0, f"KOTA SINGKAWANG - {sheet_name.upper()}")
        first = _header(case, sheet, head)
        if repeat:
            sheet.repeat_rows(3, first - 1)
        rows = [cell_values(case, n, w) for n, w in enumerate(members, start=1)]
        widths = _widths(case, rows, ruled)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.set_row(3, _row_height(case.header, widths, True) if tall_rows else None)
        for offset, values in enumerate(rows):
            sheet.set_row(first + offset, _row_height(values, widths, ruled) if tall_rows else None)
            for col, value in enumerate(values):
                if isinstance(value, datetime):
                    sheet.write_datetime(first + offset, col, value, day)
                elif isinstance(value, int):
                    sheet.write_number(first + offset, col, value, cell)
                else:
                    sheet.write_string(first + offset, col, str(value), wrap if "\n" in str(value) or ruled else cell)
        end = first + len(rows)
        sheet.write(end, 1, "Jumlah")
        sheet.write(end, 2, f"{len(rows)} orang")
        for k, text in enumerate(("Singkawang, 2 Januari 2025", "Kepala Dinas Tenaga Kerja", "", "",
                                  "Drs. H. ABDUL MAJID, M.Si")):
            if text:
                sheet.write(end + 2 + k, 8, text)
    book.close()
    return buffer.getvalue()


def _header(case: Case, sheet: xlsxwriter.worksheet.Worksheet, fmt: xlsxwriter.format.Format) -> int:
    """The header from row 4 (Excel's line 4); returns the first data row (0-based)."""
    if not case.group_header:
        for col, text in enumerate(case.header):
            sheet.write(3, col, text, fmt)
        return 4
    for col, text in enumerate(case.header):
        if col not in (5, 6):
            sheet.merge_range(3, col, 4, col, text, fmt)
    sheet.merge_range(3, 5, 3, 6, "KONTAK", fmt)
    sheet.set_row(4, 30)
    sheet.write(4, 5, "No.\nHP/WA", fmt)
    sheet.write(4, 6, "Alamat", fmt)
    return 5


def soffice(target: str, files: Sequence[Path], out: Path, profile: Path) -> None:
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(out), *map(str, files)]
    subprocess.run(command, check=True, capture_output=True, timeout=600)


def export(out: Path) -> dict[str, object]:
    """Write every case's workbooks and LibreOffice exports into ``out``; returns the manifest."""
    if shutil.which("soffice") is None:
        raise SystemExit("LibreOffice is needed: apt-get install libreoffice-calc-nogui")
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {"made_with": _version(), "cases": {}}
    with tempfile.TemporaryDirectory() as tmp:
        work, profile = Path(tmp) / "work", Path(tmp) / "profile"
        work.mkdir()
        for case in cases():
            plain, ruled = out / f"{case.name}.xlsx", out / f"{case.name}-ruled.xlsx"
            low = work / f"{case.name}-ruled-lowrows.xlsx"
            plain.write_bytes(workbook(case, ruled=False))
            ruled.write_bytes(workbook(case, ruled=True))
            low.write_bytes(workbook(case, ruled=True, tall_rows=False))
            soffice("pdf", [plain, ruled, low], out, profile)
            soffice("ods", [plain], out, profile)
            soffice("xls:MS Excel 97", [plain], out, profile)
            csvs: dict[str, str] = {}
            for sep in case.separators:
                options = f"{ord(sep)},34,1,1,,0,false,true,true,false,false,-1"
                soffice(f"csv:{CSV_FILTER}:{options}", [plain], work, profile)
                suffix = "" if sep == ";" else "-koma"
                for made in sorted(work.glob("*.csv")):  # LibreOffice names them <file>-<sheet>.csv
                    sheet = made.stem.removeprefix(f"{case.name}-")
                    name = f"{case.name}{suffix}-{sheet.replace(' ', '').replace('.', '')}.csv"
                    shutil.move(made, out / name)
                    csvs[name] = sheet
            exports = [f"{case.name}.pdf", f"{case.name}-ruled.pdf", f"{case.name}.ods", f"{case.name}.xls"]
            manifest["cases"][case.name] = {  # type: ignore[index]
                "source": plain.name, "program": case.program, "exports": [*exports, ruled.name], "csv": csvs,
                "unsure": [low.with_suffix(".pdf").name],
            }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return manifest


def _version() -> str:
    done = subprocess.run(["soffice", "--version"], capture_output=True, text=True, check=False, timeout=120)
    return done.stdout.strip() or "LibreOffice"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    manifest = export(args.out)
    for name, entry in manifest["cases"].items():  # type: ignore[attr-defined]
        print(f"{name}: {', '.join([*entry['exports'], *entry['csv']])}")
    print(f"written to {args.out} ({date.today().isoformat()}, {manifest['made_with']})")


if __name__ == "__main__":
    main()
