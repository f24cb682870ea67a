"""Make the producers' corpus and record how today's reader reads it (see the package's docstring)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from lindungi.intake.check import check
from lindungi_dev.samples import producers
from lindungi_dev.samples.producers import run
from lindungi_dev.samples.producers.compare import alike, rows


def outcome(folder: Path, name: str, source: dict[str, object]) -> str:
    """``exact``, ``refused: <code>``, or ``differs: ...`` (how many rows are not the workbook's), no names."""
    program = source["program"]
    assert program is None or isinstance(program, str)
    expected = check((folder / str(source["workbook"])).read_bytes(), str(source["workbook"]), program,
                     today=producers.TODAY)
    got = check((folder / name).read_bytes(), name, program, today=producers.TODAY)
    if got.error is not None:
        return f"refused: {got.error.value}"
    (accepted, rejected), (want_accepted, want_rejected) = rows(got), rows(expected)
    if alike((accepted, rejected), (want_accepted, want_rejected)):
        return "exact"
    wrong = len(set(accepted) ^ set(want_accepted)) + len(set(rejected) ^ set(want_rejected))
    return (f"differs: {len(accepted)} accepted and {len(rejected)} rejected rows (the workbook: "
            f"{len(want_accepted)} and {len(want_rejected)}), {wrong} rows not the workbook's, "
            f"{len(got.ignored)} lines set aside")


def record(folder: Path) -> dict[str, object]:
    manifest = producers.load(folder)
    fixtures = manifest.get("fixtures", {})
    sources = manifest.get("sources", {})
    assert isinstance(fixtures, dict) and isinstance(sources, dict)
    for name, entry in fixtures.items():
        entry["today"] = outcome(folder, name, sources[entry["source"]])
        print(f"{name:48} expect {entry['expect']:8} today {entry['today']}")
    producers.save(manifest, folder)
    return manifest


def make(folder: Path, only: Sequence[str]) -> None:
    gone = run.missing()
    if gone:
        sys.exit(f"the producers are needed: apt-get install {' '.join(gone)}")
    folder.mkdir(parents=True, exist_ok=True)
    manifest = producers.load(folder)
    old = manifest.get("fixtures", {})
    assert isinstance(old, dict)
    producers.write_sources(folder)
    entries: dict[str, object] = {}
    for fixture in producers.fixtures():
        if only and fixture.name not in only:
            if fixture.name in old:
                entries[fixture.name] = old[fixture.name]
            continue
        with tempfile.TemporaryDirectory(prefix="lindungi-producer-") as work:
            (folder / fixture.name).write_bytes(fixture.make(Path(work)))
        entries[fixture.name] = producers.manifest_entry(fixture)
        print(f"made {fixture.name}")
    producers.save({"made_with": run.versions(), "sources": producers.source_entries(), "fixtures": entries}, folder)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=producers.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=producers.OUT)
    parser.add_argument("--record", action="store_true", help="only record today's outcome of each fixture")
    parser.add_argument("--only", nargs="*", default=(), help="make only these fixtures (file names)")
    args = parser.parse_args(argv)
    if not args.record:
        make(args.out, args.only)
    record(args.out)


if __name__ == "__main__":
    main()
