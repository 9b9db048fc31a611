"""The ballot page on a phone (issue 13, item 5), in Chromium emulating one (390×844, touch):
a tap on a cell, away from the radio's circle, marks it; the approval limit is reached and its
message appears; the network drops in the middle of the cast and the page says in plain words
what is happening, keeps the ballot, and finishes it by itself once the network is back; the
server holds exactly one ballot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ballot.services.unit import transaction
from ballot.storage import models as m
from tests.browser.test_booth_edges import _room
from tests.support.members import open_round

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN"}  # fmt: skip


def _tap_corner(page: Any, label: str) -> None:
    """Tap the cell holding the radio `label`, near the cell's corner (not on the circle)."""
    cell = page.locator(f"label.cell:has(input[aria-label='{label}'])")
    box = cell.bounding_box()
    radio = page.locator(f"input[aria-label='{label}']").bounding_box()
    assert box is not None and radio is not None
    assert box["height"] >= 44 and box["width"] >= 44  # a tap target, WCAG 2.5.5
    x, y = box["x"] + 3, box["y"] + 3
    assert not (radio["x"] <= x <= radio["x"] + radio["width"])  # off the circle
    page.touchscreen.tap(x, y)


def test_a_phone_taps_cells_meets_the_limit_and_casts_through_a_network_drop(
    tmp_path: Path,
) -> None:
    with _room(tmp_path, browser=("委员乙",)) as (base, meeting, inv, db, chromium):
        with transaction(db) as session:
            open_round(session, meeting)
        context = chromium.new_context(**PHONE)
        page = context.new_page()
        page.goto(f"{base}/login#{inv['委员乙'].code}")
        page.tap("button[type=submit].primary")
        page.wait_for_load_state("networkidle")
        page.goto(f"{base}/vote/")
        page.wait_for_selector("#booth:not([hidden])")
        page.wait_for_selector("#credential-state:has-text('已领取')", timeout=60_000)
        _tap_corner(page, "甲公司 同意")
        assert page.is_checked("input[aria-label='甲公司 同意']")
        _tap_corner(page, "乙公司 同意")  # 2 places: the second approval is the last allowed
        assert page.is_checked("input[aria-label='乙公司 同意']")
        _tap_corner(page, "丙公司 同意")  # one too many: taken back, and said why
        assert not page.is_checked("input[aria-label='丙公司 同意']")
        page.wait_for_selector("#limit-note:not([hidden])")
        assert "同意已达上限" in page.inner_text("#limit-note")
        _tap_corner(page, "丙公司 不同意")
        assert page.is_checked("input[aria-label='丙公司 不同意']")
        page.tap("#review")
        dropped: list[str] = []

        def drop(route: Any) -> None:  # the room's Wi-Fi goes away as the ballot leaves
            dropped.append(route.request.url)
            context.set_offline(True)
            route.abort("internetdisconnected")

        page.route("**/vote/anon/cast", drop)
        page.tap("#cast")
        page.wait_for_selector("#error:not([hidden])", timeout=60_000)
        said = page.inner_text("#error")
        assert "网络中断了" in said and "自动继续投出" in said and "请勿关闭本页" in said
        assert "Failed to fetch" not in said
        page.screenshot(path=str(tmp_path / "phone-offline.png"), full_page=True)
        with db() as s:
            assert s.scalar(select(func.count()).select_from(m.Ballot)) == 0
        page.unroute("**/vote/anon/cast")
        context.set_offline(False)  # the network is back: the page finishes by itself
        page.wait_for_selector("#done:not([hidden])", timeout=60_000)
        tracker = page.inner_text("#tracker").replace(" ", "")
        # its groups of eight wrap between groups on the narrow screen, never inside one
        lines = page.evaluate(
            """() => { const el = document.getElementById('tracker'); const r = document.createRange();
                       const text = el.firstChild; const tops = new Set(); let start = 0;
                       const groups = el.textContent.split(' ');
                       return groups.map(g => { r.setStart(text, start); r.setEnd(text, start + g.length);
                                                start += g.length + 1; return r.getClientRects().length; }); }"""
        )
        assert lines and all(n == 1 for n in lines), lines
        assert page.locator("#tracker").bounding_box()["height"] > 40  # it did wrap: 64 chars
        assert dropped, "the cast never reached the network"
        with db() as s:
            stored = s.scalars(select(m.Ballot.tracker)).all()
        assert stored == [tracker]
        context.close()
