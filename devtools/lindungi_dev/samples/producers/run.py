"""The producers themselves, from Debian's packages: each call turns a document into the file a clerk would send.

    apt-get install php-cli php-tcpdf php-dompdf gnumeric libreoffice-writer-nogui libreoffice-calc-nogui chromium

TCPDF and dompdf run in ``php`` from a small script (below) reading its job as JSON on stdin; Chromium prints an
HTML file (``--print-to-pdf``, its "Save as PDF"); LibreOffice converts a letter (``soffice --convert-to``);
Gnumeric converts a workbook (``ssconvert``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

TCPDF = "/usr/share/php/tcpdf/tcpdf.php"
DOMPDF = "/usr/share/php/dompdf/autoload.php"
NEEDS = {"php": "php-cli", "ssconvert": "gnumeric", "soffice": "libreoffice-writer-nogui", "chromium": "chromium"}

_CELL_PHP = r"""<?php
// A PHP report with TCPDF's Cell()/MultiCell(): the header row, then one row a worker, a new page when the
// next row does not fit (the header drawn again there or not), right-aligned row numbers.
require_once '%(tcpdf)s';
$job = json_decode(stream_get_contents(STDIN), true);
$pdf = new TCPDF($job['orientation'], 'mm', 'A4', true, 'UTF-8', false);
$pdf->SetCreator('TCPDF ' . TCPDF_STATIC::getTCPDFVersion());
$pdf->SetTitle($job['title']);
$pdf->setPrintHeader(false);
$pdf->setPrintFooter(false);
$pdf->SetMargins(10, 10, 10);
$pdf->SetAutoPageBreak(false);
$pdf->AddPage();
$pdf->SetFont('dejavusans', 'B', 10);
$pdf->Cell(0, 6, $job['title'], 0, 1, 'C');
$pdf->Cell(0, 6, $job['office'], 0, 1, 'C');
$pdf->Ln(3);
$width = $pdf->getPageWidth() - 20;
$widths = array_map(function ($w) use ($width) { return $w * $width; }, $job['weights']);
$bottom = $pdf->getPageHeight() - 12;
$line = $job['font_pt'] * 0.3528 * 1.25;

function draw_row($pdf, $job, $widths, $line, $texts, $head) {
    $lines = 1;
    if ($job['wrap'] || $head) {
        foreach ($texts as $i => $text) { $lines = max($lines, $pdf->getNumLines($text, $widths[$i])); }
    }
    $h = $lines * $line + 1.5;
    foreach ($texts as $i => $text) {
        $align = $head ? 'C' : (in_array($i, $job['right']) ? 'R' : 'L');
        if ($job['wrap'] || $head) {
            $pdf->MultiCell($widths[$i], $h, $text, $job['border'], $align, false, 0, '', '', true, 0, false, true,
                            $h, 'T');
        } else {
            $pdf->Cell($widths[$i], $h, str_replace("\n", ' ', $text), $job['border'], 0, $align, false, '', 1);
        }
    }
    $pdf->Ln($h);
    return $h;
}

function row_height($pdf, $job, $widths, $line, $texts) {
    $lines = 1;
    if ($job['wrap']) {
        foreach ($texts as $i => $text) { $lines = max($lines, $pdf->getNumLines($text, $widths[$i])); }
    }
    return $lines * $line + 1.5;
}

$pdf->SetFont('dejavusans', 'B', $job['font_pt']);
draw_row($pdf, $job, $widths, $line, $job['header'], true);
$pdf->SetFont('dejavusans', '', $job['font_pt']);
foreach ($job['rows'] as $row) {
    if ($pdf->GetY() + row_height($pdf, $job, $widths, $line, $row) > $bottom) {
        $pdf->AddPage();
        if ($job['repeat']) {
            $pdf->SetFont('dejavusans', 'B', $job['font_pt']);
            draw_row($pdf, $job, $widths, $line, $job['header'], true);
            $pdf->SetFont('dejavusans', '', $job['font_pt']);
        }
    }
    draw_row($pdf, $job, $widths, $line, $row, false);
}
if ($pdf->GetY() + 40 > $bottom) { $pdf->AddPage(); }
$pdf->Ln(3);
$pdf->Cell(0, 5, $job['total'], 0, 1, 'L');
foreach ($job['signature'] as $text) {
    $pdf->SetX($pdf->getPageWidth() - 90);
    $pdf->Cell(70, 5, $text, 0, 1, 'C');
}
echo $pdf->Output('daftar.pdf', 'S');
"""

_HTML_PHP = r"""<?php
// A PHP report with TCPDF's writeHTML(): the print view's HTML table, <thead> repeated on every page.
require_once '%(tcpdf)s';
$job = json_decode(stream_get_contents(STDIN), true);
$pdf = new TCPDF($job['orientation'], 'mm', 'A4', true, 'UTF-8', false);
$pdf->SetCreator('TCPDF ' . TCPDF_STATIC::getTCPDFVersion());
$pdf->setPrintHeader(false);
$pdf->setPrintFooter(false);
$pdf->SetMargins(10, 10, 10);
$pdf->SetAutoPageBreak(true, 12);
$pdf->AddPage();
$pdf->SetFont('dejavusans', '', $job['font_pt']);
$pdf->writeHTML($job['html'], true, false, true, false, '');
echo $pdf->Output('daftar.pdf', 'S');
"""

_DOMPDF_PHP = r"""<?php
// dompdf's render of the print view, as Laravel and CodeIgniter applications print their lists.
require_once '%(dompdf)s';
$job = json_decode(stream_get_contents(STDIN), true);
$dompdf = new Dompdf\Dompdf(['defaultFont' => 'DejaVu Sans']);
$dompdf->loadHtml($job['html'], 'UTF-8');
$dompdf->setPaper('A4', $job['orientation']);
$dompdf->render();
echo $dompdf->output();
"""


def missing() -> list[str]:
    """The Debian packages of the producers that are not installed."""
    gone = [package for tool, package in NEEDS.items() if shutil.which(tool) is None]
    gone += [package for path, package in ((TCPDF, "php-tcpdf"), (DOMPDF, "php-dompdf")) if not Path(path).exists()]
    return gone


def _php(script: str, job: dict[str, object]) -> bytes:
    with tempfile.NamedTemporaryFile("w", suffix=".php", encoding="utf-8") as file:
        file.write(script % {"tcpdf": TCPDF, "dompdf": DOMPDF})
        file.flush()
        done = subprocess.run(["php", "-d", "memory_limit=512M", file.name], input=json.dumps(job).encode(),
                              capture_output=True, timeout=300, check=True)
    if not done.stdout.startswith(b"%PDF-"):
        raise RuntimeError(f"php gave no PDF: {done.stdout[:200]!r} {done.stderr[:500]!r}")
    return done.stdout


def tcpdf_cells(job: dict[str, object]) -> bytes:
    return _php(_CELL_PHP, job)


def tcpdf_html(html: str, landscape: bool, font_pt: float) -> bytes:
    return _php(_HTML_PHP, {"html": html, "orientation": "L" if landscape else "P", "font_pt": font_pt})


def dompdf(html: str, landscape: bool) -> bytes:
    return _php(_DOMPDF_PHP, {"html": html, "orientation": "landscape" if landscape else "portrait"})


def chromium(html: str, header_footer: bool) -> bytes:
    """Chromium's "Save as PDF" of the page; ``header_footer``: the date, title, address and page number it adds."""
    with tempfile.TemporaryDirectory(prefix="lindungi-print-") as tmp:
        page, out, profile = Path(tmp) / "daftar.html", Path(tmp) / "daftar.pdf", Path(tmp) / "profile"
        page.write_text(html, encoding="utf-8")
        command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-first-run", f"--user-data-dir={profile}", f"--print-to-pdf={out}"]
        if not header_footer:
            command.append("--no-pdf-header-footer")
        subprocess.run([*command, page.as_uri()], capture_output=True, timeout=300, check=True)
        return out.read_bytes()


def soffice(source: Path, target: str, out: Path, profile: Path) -> Path:
    """LibreOffice's ``--convert-to target`` of ``source`` into ``out``; returns the file made."""
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    made = out / f"{source.stem}.{target.split(':')[0]}"
    if not made.exists():
        raise RuntimeError(f"LibreOffice made no {made.name}")
    return made


def ssconvert(source: Path, target: Path) -> None:
    """Gnumeric's conversion, the format from ``target``'s extension (Save As, or Print to PDF)."""
    subprocess.run(["ssconvert", str(source), str(target)], check=True, capture_output=True, timeout=300)


def versions() -> dict[str, str]:
    def out(command: list[str]) -> str:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else ""

    tcpdf = out(["php", "-r", f"require '{TCPDF}'; echo TCPDF_STATIC::getTCPDFVersion();"])
    dompdf_version = (Path(DOMPDF).parent / "VERSION").read_text().strip()
    gnumeric = re.sub(r"[^0-9.]", "", out(["ssconvert", "--version"]))
    return {"TCPDF": tcpdf, "dompdf": dompdf_version, "Chromium": out(["chromium", "--version"]),
            "LibreOffice": out(["soffice", "--version"]), "Gnumeric": gnumeric}
