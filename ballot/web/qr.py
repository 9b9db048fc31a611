"""QR codes for printed pages (access-code slips, the printed result), drawn by segno as inline
SVG: no image files, nothing fetched, sharp at any print size."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str, label: str) -> Markup:
    """`text` as a QR code (error correction M), an inline SVG with `label` as its accessible
    name; sized by CSS (the SVG scales to its box)."""
    code = segno.make(text, error="m")
    svg = code.svg_inline(scale=1, border=2, omitsize=True, title=label, svgclass="qr")
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))
