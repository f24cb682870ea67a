"""The staff portal in ``make demo``: served on 127.0.0.1 with one account per role, as an administrator makes them.

Every function of template.yaml with a function URL is served (``Emulator.serve_urls``); the bucket notifies
the ingest function itself from then on, so a list uploaded from the portal's page (a presigned POST to
moto's S3) is read as in AWS. One user per Cognito group of the template, each with a first password that
the first sign-in changes; the roles that see every office set TOTP up at their first sign-in (any
authenticator app; moto gives every user the same secret, shown on the page).

    make demo ARGS="--rentan 60 --sawit 10 --no-reminders --keep-running"   # the portal in a few seconds
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .emulator import cognito
from .emulator.server import Emulator

ACCOUNTS: dict[str, tuple[str, dict[str, str]]] = {
    # group: (username, attributes) - the demo's staff, one a role
    "kantor": ("kantor.pasiran", {"name": "Kantor Kelurahan Pasiran", "custom:office": "kel-pasiran"}),
    "kota": ("dinas.kota", {"name": "Dinas Tenaga Kerja Kota Singkawang"}),
    "bpjs": ("bpjs.singkawang", {"name": "BPJS Ketenagakerjaan Cabang Singkawang"}),
    "operator": ("operator.lindungi", {"name": "Operator Lindungi"}),
}
"""The office user's ``custom:office`` is an office id: its uploads go to ``incoming/<program>/kel-pasiran/``."""


@dataclass
class Portal:
    url: str
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    """(group, username, first password)"""


def start(emu: Emulator) -> Portal | None:
    """The portal served, the bucket notifying, one account per role; None when the template has no portal."""
    functions = emu.stack.url_functions()
    if not functions:
        return None
    emu.s3_notifications("UploadBucket")
    served = emu.serve_urls()
    portal = Portal(served[functions[0]].url)
    for group in cognito.groups(emu.stack):
        username, attributes = ACCOUNTS.get(group, (f"{group}.demo", {}))
        portal.accounts.append((group, username, cognito.create_user(emu.session, emu.stack, username, [group],
                                                                      attributes)))
    return portal


def print_portal(portal: Portal, keep_running: bool) -> None:
    print("-" * 78)
    state = "stays up until Ctrl-C" if keep_running else "stops with the demo; --keep-running leaves it up"
    print(f"Portal Petugas at {portal.url}  ({state})")
    print("   One account a role, each with a first password to change at the first sign-in:")
    for group, username, password in portal.accounts:
        print(f"   {group:<9} {username:<20} {password}")
    print("   kota, bpjs and operator set TOTP up at their first sign-in (an authenticator app, or\n"
          "   `python -c \"from lindungi_dev.webdriver import totp; print(totp('SECRET'))\"` with the secret shown).")
