"""The staff guide's pictures of the portal (``docs/img/portal-*.png``), taken from the demo's portal.

``python -m lindungi_dev.portal_images [docs/img]`` starts the emulator, serves the portal with the demo's
accounts (``demo_portal``), and walks through it in headless Chromium (``webdriver``) as the guide does: the
Pasiran office's clerk signs in, changes the first password, uploads a sample list and opens its report,
reads the riwayat; the BPJS branch clerk sets TOTP up and looks a worker up. Each page as a laptop (1366x768)
and, where the guide shows it, as a phone (390x844, Chromium's mobile emulation) sees it, reduced to 256
colours. Needs Debian's chromium and chromium-driver (``make browser``). Every name and NIK is a sample's.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import browser, demo_portal, samples, webdriver
from .demo import function_logs
from .emulator import cognito
from .emulator.server import Emulator
from .emulator.template import ROOT

LIST_NAME = "Daftar Pekerja Rentan Kel Pasiran.xlsx"


def _shoot(driver: Any, out: Path, name: str, as_: str = "laptop", anchor: str = "") -> list[Path]:
    """The page as a laptop or a phone (``as_``; ``both``: each) first shows it (scrolled to ``anchor``), 256
    colours."""
    from PIL import Image  # pdfplumber's dependency

    shots = []
    for label, (width, height) in {"laptop": browser.LAPTOP, "phone": browser.PHONE}.items():
        if as_ not in (label, "both"):
            continue
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": label == "phone"})
        if anchor:
            driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", anchor)
        time.sleep(0.2)
        png = out / f"portal-{name}.{label}.png"
        driver.save_screenshot(str(png))
        with Image.open(png) as shot:
            shot.convert("RGB").crop((0, 0, width, height)).quantize(colors=256).save(png, optimize=True)
        shots.append(png)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return shots


def take(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    with Emulator() as emu, tempfile.TemporaryDirectory(prefix="lindungi-portal-images-") as folder, \
            function_logs(Path(folder) / "logs.jsonl"):
        portal = demo_portal.start(emu)
        if portal is None:
            raise SystemExit("template.yaml has no function URL: no portal to picture")
        passwords = {username: password for _, username, password in portal.accounts}
        new_password = cognito.temporary_password()
        workbook = Path(folder) / LIST_NAME
        people, _ = samples.plant_faults(samples.workers(120, "pekerja-rentan", seed=21), every=17)
        workbook.write_bytes(samples.write_xlsx(people, "pekerja-rentan"))
        with webdriver.chrome(browser.LAPTOP) as driver:
            clerk = webdriver.Person(driver, portal.url)
            clerk.open("/masuk")
            clerk.fill("signin", {"username": "kantor.pasiran", "password": passwords["kantor.pasiran"]},
                       submit=False)
            made += _shoot(driver, out, "masuk", "phone")
            clerk.fill("signin", {})
            made += _shoot(driver, out, "sandi-baru", "phone")
            clerk.fill("new-password", {"new_password": new_password, "new_password_again": new_password})
            clerk.open("/unggah")
            made += _shoot(driver, out, "unggah-program", "phone")
            clerk.fill("choose-program", {"program": "pekerja-rentan"})
            clerk.fill("upload", {"file": str(workbook)}, submit=False)
            made += _shoot(driver, out, "unggah-berkas")
            clerk.fill("upload", {})
            deadline = time.monotonic() + 60
            while not clerk.has("open-report") and time.monotonic() < deadline:
                time.sleep(0.5)
                driver.refresh()
            made += _shoot(driver, out, "unggah-selesai", "both")
            clerk.click("#open-report")
            made += _shoot(driver, out, "laporan")
            clerk.open("/riwayat")
            made += _shoot(driver, out, "riwayat", "both")
        s3, bucket = emu.client("s3"), emu.stack.physical("UploadBucket")
        listed = s3.list_objects_v2(Bucket=bucket, Prefix="reports/pekerja-rentan/kel-pasiran/")["Contents"]
        key = next(o["Key"] for o in listed if o["Key"].endswith(".json"))
        stored = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        nik = next(row["nik"] for row in stored["accepted"] if row.get("phone"))
        with webdriver.chrome(browser.LAPTOP) as driver:
            branch = webdriver.Person(driver, portal.url)
            branch.open("/masuk")
            branch.fill("signin", {"username": "bpjs.singkawang", "password": passwords["bpjs.singkawang"]})
            branch.fill("new-password", {"new_password": new_password, "new_password_again": new_password})
            made += _shoot(driver, out, "mfa")
            branch.totp_secret = branch.text("totp-secret").strip()
            branch.fill("mfa-setup", {"code": webdriver.totp(branch.totp_secret)})
            branch.fill("signin", {"username": "bpjs.singkawang", "password": new_password})
            branch.fill("mfa-code", {"code": webdriver.totp(branch.totp_secret)})
            branch.open("/peserta")
            branch.fill("lookup", {"nik": nik})
            made += _shoot(driver, out, "peserta", "both")
            made += _shoot(driver, out, "peserta-nomor", anchor="numbers")
    return made


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "img"
    for png in take(out):
        print(f"{png} ({png.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
