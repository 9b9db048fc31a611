"""The printed result as a PDF (templates/printed.html, drawn by WeasyPrint): what an office
signs, stamps and files. WeasyPrint lays out HTML and CSS with the system's fonts through
Pango; Chinese needs a CJK font installed (Debian: fonts-noto-cjk or fonts-wqy-microhei), so
a machine without one gets a clear refusal rather than a page of empty boxes."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from typing import Any

from flask import render_template
from markupsafe import Markup

from ballot.services.errors import ServiceError


@cache
def _cjk_font() -> bool:
    """Whether fontconfig knows a font for Chinese (asked once per process)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
    )
    return bool(found.stdout.strip())


def pdf(**context: Any) -> bytes:
    """printed.html with `context`, as PDF bytes."""
    if not _cjk_font():
        raise ServiceError(
            "pdf-unavailable",
            en="this server has no Chinese font, so it cannot make the PDF: install one "
            "(Debian: apt-get install fonts-noto-cjk) and restart; the results page prints as is",
            zh="本服务器没有中文字体，无法生成 PDF：请安装（Debian：apt-get install "
            "fonts-noto-cjk）后重启；结果网页可直接打印",
        )
    try:
        from weasyprint import HTML  # (imported here: Pango loads only when a PDF is asked for)
        from weasyprint.urls import URLFetcher
    except OSError:  # WeasyPrint is installed, the system's Pango is not
        raise ServiceError(
            "pdf-unavailable",
            en="this server lacks Pango, which draws the PDF: install it (Debian: apt-get "
            "install libpango-1.0-0 libpangoft2-1.0-0) and restart; the results page prints as is",
            zh="本服务器缺少生成 PDF 所需的 Pango：请安装（Debian：apt-get install "
            "libpango-1.0-0 libpangoft2-1.0-0）后重启；结果网页可直接打印",
        ) from None

    footer = _css_string(str(getattr(context.get("view"), "title", "")))
    html = render_template("printed.html", footer=footer, **context)
    return bytes(HTML(string=html, url_fetcher=_fetches_nothing(URLFetcher)).write_pdf())


def _fetches_nothing(base: Any) -> Any:
    """WeasyPrint's fetcher, made to fetch no file and no address: the PDF is drawn from its
    template alone (a name or a title is text, never a resource; WeasyPrint leaves out what
    it could not fetch)."""

    class FetchesNothing(base):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"the printed result fetches nothing ({url[:60]})")

    return FetchesNothing()


def _css_string(text: str) -> Markup:
    """`text` as a CSS string for the page footer (in the stylesheet, where HTML escaping does
    not apply): every ASCII character but letters, digits and spaces as a CSS escape."""
    body = "".join(
        c
        if (c.isascii() and (c.isalnum() or c == " ")) or (not c.isascii() and c.isprintable())
        else f"\\{ord(c):x} "
        for c in text
    )
    return Markup(f'"{body}"')
