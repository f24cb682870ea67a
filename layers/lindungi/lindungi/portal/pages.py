"""The portal's own pages: the report page's look (``lindungi.page``), forms, a menu, and a strict CSP.

Every page is one self-contained document: no script at all, no external style, font or image. The
Content-Security-Policy header allows the one inline style sheet by its SHA-256 (no ``unsafe-inline``),
forms only to the portal itself and, on the upload page, to the bucket, and no framing. Every word comes
from ``lindungi.outcomes`` (``say``); every value from a list or a user goes through ``html.escape``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from html import escape

from lindungi.outcomes import say
from lindungi.page import CSS
from lindungi.portal.auth import CSRF_FIELD
from lindungi.portal.roles import Staff

PORTAL_CSS = CSS + """
header.bar{background:#0b3d6e;color:#fff}
header.bar div{max-width:1200px;margin:0 auto;padding:8px 16px;display:flex;flex-wrap:wrap;gap:6px 16px;
align-items:center}
header.bar a,header.bar button{color:#fff;font:inherit}
header.bar .who{flex:1 1 200px;font-size:.9rem;opacity:.9}
nav.menu{display:flex;flex-wrap:wrap;gap:6px 14px}
form.inline{display:inline;margin:0}
button.link{background:none;border:0;padding:0;text-decoration:underline;cursor:pointer}
form.box label{display:block;font-weight:600;margin:.8em 0 .2em}
input[type=text],input[type=password],input[type=tel],input[type=file],select{width:100%;max-width:420px;
font:inherit;padding:8px;border:1px solid #8a949e;border-radius:6px;background:#fff}
button.main,a.main{display:inline-block;font:inherit;font-weight:600;margin-top:1em;padding:10px 18px;border:0;
border-radius:6px;background:#0b57d0;color:#fff;cursor:pointer;text-decoration:none}
button.main.danger{background:#c62828}
.secret{font-family:ui-monospace,monospace;font-size:1.2rem;letter-spacing:.08em;word-break:break-all}
"""

STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(PORTAL_CSS.encode()).digest()).decode()


def csp(form_targets: Sequence[str] = ()) -> str:
    """The portal's Content-Security-Policy: its own style sheet by hash, forms to itself (and ``form_targets``)."""
    targets = " ".join(("'self'", *form_targets))
    return (f"default-src 'none'; style-src '{STYLE_HASH}'; img-src data:; base-uri 'none'; "
            f"form-action {targets}; frame-ancestors 'none'")


STORED_PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                   "form-action 'none'; frame-ancestors 'none'")
"""A report or rekap page as stored in the bucket (its own meta CSP, its SVG charts' style attributes): no
script, no form, no framing."""


def document(title: str, body: str, staff: Staff | None = None, csrf: str | None = None) -> str:
    """A portal page: the bar (who is signed in, the menu for their role, sign-out) above ``body``."""
    return (
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} - {escape(say('portal.name'))}</title>\n<style>{PORTAL_CSS}</style>\n"
        f"</head>\n<body>\n{_bar(staff, csrf)}<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _bar(staff: Staff | None, csrf: str | None) -> str:
    if staff is None:
        return (f'<header class="bar"><div><strong>{escape(say("portal.name"))}</strong></div></header>\n')
    role = say(f"portal.role.{staff.role.value}")
    office = staff.office_name or staff.office
    who = (say("portal.signed_in_office", user=staff.username, role=role, office=office) if office
           else say("portal.signed_in_as", user=staff.username, role=role))
    links = [("/", "portal.home")]
    if staff.uploads:
        links += [("/unggah", "portal.menu_upload")]
    if staff.uploads or staff.sees_every_office:
        links += [("/riwayat", "portal.menu_riwayat")]
    if staff.looks_workers_up:
        links += [("/peserta", "portal.menu_lookup")]
    if staff.reads_rekap:
        links += [("/rekap/", "portal.menu_rekap")]
    menu = "".join(f'<a href="{href}">{escape(say(key))}</a>' for href, key in links)
    signout = (f'<form class="inline" method="post" action="/keluar">{hidden(CSRF_FIELD, csrf or "")}'
               f'<button class="link" type="submit" id="signout">{escape(say("portal.signout"))}</button></form>')
    return (f'<header class="bar"><div><strong>{escape(say("portal.name"))}</strong>'
            f'<span class="who" id="who">{escape(who)}</span><nav class="menu">{menu}{signout}</nav></div></header>\n')


def hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def status(kind: str, text: str, ident: str = "") -> str:
    """A coloured box (``ok``, ``warn``, ``bad``) with one sentence."""
    id_attr = f' id="{escape(ident)}"' if ident else ""
    return f'<div class="status {kind}"{id_attr} role="status"><p>{escape(text)}</p></div>'


def field(label_key: str, name: str, kind: str = "text", autocomplete: str = "off", extra: str = "") -> str:
    """A labelled input (its label from the vocabulary)."""
    return (f'<label for="{escape(name)}">{escape(say(label_key))}</label>'
            f'<input type="{kind}" id="{escape(name)}" name="{escape(name)}" autocomplete="{autocomplete}"{extra}>')


def form(action: str, parts: Iterable[str], button_key: str, token: str, ident: str = "",
         danger: bool = False, token_field: str = CSRF_FIELD) -> str:
    """A POST form to the portal, with its CSRF token."""
    id_attr = f' id="{escape(ident)}"' if ident else ""
    klass = "main danger" if danger else "main"
    return (f'<form class="box" method="post" action="{escape(action)}"{id_attr}>{hidden(token_field, token)}'
            f'{"".join(parts)}<button class="{klass}" type="submit">{escape(say(button_key))}</button></form>')


def message_page(title_key: str, text_key: str, kind: str = "bad", staff: Staff | None = None,
                 csrf: str | None = None, ident: str = "message") -> str:
    return document(say(title_key), f'<h1>{escape(say(title_key))}</h1>{status(kind, say(text_key), ident)}',
                    staff, csrf)
