"""The workbook formats staff may upload besides .xlsx, as real files: tests/fixtures/formats/.

    .venv/bin/python -m lindungi_dev.samples.format_fixtures   # needs LibreOffice (libreoffice-calc-nogui, python3-uno)

Writes a small worker list (``daftar.xlsx``, the project's own sample writer) and has LibreOffice save it as
``daftar.ods`` and, with the password ``rahasia``, as ``daftar-sandi.xls`` (Excel 97-2003, RC4 CryptoAPI) and
``daftar-sandi.ods``. CI has no LibreOffice: the tests read the committed files. Password-protected ``.xlsx``
are made at test time with msoffcrypto-tool (LibreOffice cannot save them headless); the ``.xlsb`` files come
from calamine's test suite (LibreOffice cannot write .xlsb), see tests/fixtures/formats/README.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lindungi_dev import samples

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "tests" / "fixtures" / "formats"
PASSWORD = "rahasia"  # noqa: S105 - the fixtures' published password, not a secret
PEOPLE = 12
SEED = 7


def people() -> list[samples.Worker]:
    """The list every fixture holds (tests compare what they read with it)."""
    return samples.workers(PEOPLE, "pekerja-rentan", seed=SEED)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    source = OUT / "daftar.xlsx"
    source.write_bytes(samples.write_xlsx(people(), "pekerja-rentan", by_kecamatan=False))
    targets = [f"{OUT / 'daftar.ods'}|calc8|", f"{OUT / 'daftar-sandi.xls'}|MS Excel 97|{PASSWORD}",
               f"{OUT / 'daftar-sandi.ods'}|calc8|{PASSWORD}"]
    subprocess.run(["/usr/bin/python3", str(Path(__file__).with_name("lo_store.py")), str(source), *targets],
                   check=True, timeout=300)
    for path in sorted(OUT.glob("daftar*")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:>7} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
