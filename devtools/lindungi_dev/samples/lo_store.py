"""Save one workbook under other formats through LibreOffice, with a password where asked.

Run by the system Python that has LibreOffice's UNO bridge (Debian: python3-uno), not the project's venv:

    /usr/bin/python3 devtools/lindungi_dev/samples/lo_store.py SOURCE 'OUT|FILTER|PASSWORD' ...

``soffice --convert-to`` cannot set a password, so this starts a headless soffice with its own throwaway
profile, opens SOURCE hidden and calls ``storeToURL`` once per target. ``format_fixtures`` calls it.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

import uno
from com.sun.star.beans import PropertyValue


def _pv(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _url(path: str) -> str:
    return str(uno.systemPathToFileUrl(str(pathlib.Path(path).resolve())))


def _connect(pipe: str, deadline: float) -> Any:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main(source: str, targets: list[str]) -> None:
    with tempfile.TemporaryDirectory() as profile:
        pipe = f"lindungi_{pathlib.Path(profile).name}"
        office = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--norestore", "--nologo",
             f"-env:UserInstallation={pathlib.Path(profile).as_uri()}", f"--accept=pipe,name={pipe};urp;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # its own process group: oosplash starts soffice.bin as a child
        try:
            context = _connect(pipe, time.monotonic() + 60)
            desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
            doc = desktop.loadComponentFromURL(_url(source), "_blank", 0, (_pv("Hidden", True),))
            if doc is None:
                raise SystemExit(f"LibreOffice could not open {source}")
            for target in targets:
                out, filter_name, password = target.split("|")
                props = [_pv("FilterName", filter_name)] + ([_pv("Password", password)] if password else [])
                doc.storeToURL(_url(out), tuple(props))
            doc.close(True)
            with contextlib.suppress(Exception):  # the bridge drops as soffice quits
                desktop.terminate()
            office.wait(30)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(office.pid, signal.SIGKILL)  # soffice.bin too, whatever happened above


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
