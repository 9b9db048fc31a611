"""The projector (`/m/ID/screen`) in real Chromium at the sizes rooms project at, 1366×768 and
1920×1080, with 16 candidates on the ballot: nothing is cut off and nothing scrolls (issue 13:
"with 8 candidates the last row is cut off"), the final result comes first once the procedure
is complete, the threshold, the reasons and the next step are on screen, and the page never
reloads itself (no meta refresh: it updates in place)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ballot.devtools.demo import chair_opens, check_in, prepare_meeting, simulate
from ballot.services.unit import transaction
from ballot.storage import models as m
from ballot.web import create_app
from tests.browser.test_e2e_browser import CHROMIUM, FLAGS, _playwright
from tests.support import ROOT
from tests.support.web import running_server

SIZES = [(1366, 768), (1920, 1080)]
NAMES16 = [f"第{i + 1}号候选组织有限公司" for i in range(16)]  # long names, as real ones are
SHOTS = Path(os.environ.get("BALLOT_E2E_ARTIFACTS", ROOT / "test-artifacts" / "e2e")) / "projector"


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`ballot serve` on one database holding three meetings as a room sees them: a round of 16
    candidates open, round 1 of 16 counted with a tie at the cut-off (a re-vote next), and a
    complete meeting of every tier."""
    folder = tmp_path_factory.mktemp("projector")
    url = f"sqlite:///{folder / 'screen.sqlite3'}"
    quiet = lambda _line: None  # noqa: E731
    meetings: dict[str, str] = {}
    between = simulate(members=15, present=15, candidates=16, seed=7, database_url=url,
                       say=quiet, rounds=1)  # fmt: skip
    meetings["counted"] = between["record"]["meeting"]
    done = simulate(members=15, present=15, candidates=16, seed=8, database_url=url,
                    say=quiet, all_tiers=True)  # fmt: skip
    assert done["complete"]
    meetings["complete"] = done["record"]["meeting"]
    app = create_app({"DATABASE_URL": url, "KEYS": str(folder / "keys")})
    rt = app.extensions["ballot"]  # type: ignore[attr-defined]
    roster = [(f"委员{i}", "chair" if i == 0 else "member") for i in range(15)]
    slate = {"profile": "jiaxing-2020", "candidates": NAMES16, "others": [],
             "rules": {"tiers": [{"id": "award", "places": 5}, {"id": "nominee", "places": 3}]}}  # fmt: skip
    meeting, _ = prepare_meeting(rt, "投影测试评委会", roster, "2026 年度市质量奖评审会", slate, 2, 3,
                                 folder / "shares", issuer_bits=3072)  # fmt: skip
    from ballot.services.unit import reading

    with reading(rt.db) as s:
        row = s.get(m.Meeting, meeting)
        assert row is not None
        meetings["open"] = row.public_id
        ids = [x.id for x in s.query(m.Member).filter(m.Member.committee_id == row.committee_id)]
    devices = [check_in(rt.db, meeting, member, rt.rng) for member in ids]
    chair = next(d for d in devices if d.member == "委员0")
    with transaction(rt.db) as session:
        chair_opens(session, meeting, rt.rng, device=chair)
    rt.engine.dispose()
    with running_server(folder, url) as base:
        yield base, meetings


def _fits(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const r = document.documentElement;
          const cut = [...document.querySelectorAll('#projector tr, #projector li, #projector p, #projector h1, #projector h2')]
            .filter(el => { const b = el.getBoundingClientRect();
                            return b.top < 0 || b.bottom > innerHeight + 0.5 || b.left < 0 || b.right > innerWidth + 0.5; })
            .map(el => el.textContent.trim().slice(0, 40));
          return { scroll: r.scrollHeight, inner: innerHeight, wide: r.scrollWidth, width: innerWidth,
                   cut, font: parseFloat(getComputedStyle(r).fontSize),
                   refresh: document.querySelectorAll('meta[http-equiv="refresh" i]').length,
                   header: document.querySelectorAll('header.bar').length };
        }"""
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_projector_fits_the_screen_with_16_candidates(
    room: tuple[str, dict[str, str]], size: tuple[int, int]
) -> None:
    sync_playwright = _playwright()
    base, meetings = room
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = chromium.new_context(
                viewport={"width": size[0], "height": size[1]}, locale="zh-CN"
            ).new_page()
            for state, public_id in meetings.items():
                page.goto(f"{base}/m/{public_id}/screen")
                page.wait_for_function("document.documentElement.dataset.fitted === 'yes'")
                page.screenshot(path=str(SHOTS / f"{state}-{size[0]}x{size[1]}.png"))
                got = _fits(page)
                assert got["scroll"] <= got["inner"] and got["wide"] <= got["width"], (state, got)
                assert not got["cut"], (state, got["cut"])
                assert got["refresh"] == 0 and got["header"] == 0, (state, got)
                # still readable from the back of the room: the type is not shrunk to nothing
                assert got["font"] >= size[1] / 60, (state, got["font"])
                text = page.inner_text("#projector")
                assert "应到" in text and "实到" in text and "法定人数" in text
                assert page.inner_text("#next-step").startswith("下一步")
                if state == "open":
                    assert page.locator("#round li").count() == 16
                    assert "到会但尚未投票" in text and "入选需同意票" in text
                    assert "请各位委员在自己的设备上投票" in page.inner_text("#next-step")
                if state == "counted":
                    assert page.locator("#round tbody tr").count() == 16
                    assert page.locator("#reasons li").count() >= 1
                    assert "并列，需再投票" in text
                    assert "再投票" in page.inner_text("#next-step")
                    assert "入选需同意票" in text
                if state == "complete":
                    final = page.locator("#final-result").bounding_box()
                    shown = page.locator("#round").bounding_box()
                    assert final is not None and shown is not None and final["y"] < shown["y"]
                    assert "最终结果" in text and "程序完成" in page.inner_text("#next-step")
                assert page.locator("#key-fingerprint").count() == 1
        finally:
            chromium.close()
