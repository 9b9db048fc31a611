"""The ballot page in Chromium when the room's network and the database misbehave: the answer
to each of its requests (issue, register, cast) is lost once on the way back and the
PostgreSQL server restarts while it casts. The page says it is trying again, tries by itself,
and finishes with its tracker; the server holds exactly one ballot."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ballot.storage import models as m
from tests.browser.test_e2e_browser import CHROMIUM, FLAGS, _playwright
from tests.support.faults import LOSSY, LossyProxy, private_postgres, restart
from tests.support.web import ROSTER, make_web_meeting, open_first_round, running_server


def test_the_page_retries_through_lost_answers_and_a_database_restart(tmp_path: Path) -> None:
    sync_playwright = _playwright()
    with private_postgres(tmp_path) as (url, ctl, data):
        app, meeting, inv = make_web_meeting(tmp_path, url)
        rt = app.extensions["ballot"]  # type: ignore[attr-defined]
        open_first_round(  # 乙's page confirms its own check-in, late, through the faults
            app, meeting, [name for name, _ in ROSTER], browser=("委员乙",)
        )
        with running_server(tmp_path, url) as base:
            proxy = LossyProxy(int(base.rsplit(":", 1)[1]))
            front = f"http://localhost:{proxy.port}"
            problems: list[str] = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
                page = browser.new_context(locale="zh-CN").new_page()
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.goto(f"{front}/login#{inv['委员乙'].code}")
                page.click("button[type=submit].primary")
                page.wait_for_load_state("networkidle")
                page.goto(f"{front}/vote/")
                page.wait_for_selector("#booth:not([hidden])")
                page.check("input[aria-label='甲公司 同意']")
                page.click("#review")

                restarted: list[float] = []

                def restart_soon() -> None:
                    time.sleep(2.0)  # while the page registers and casts (after its wait)
                    restart(ctl, data)
                    restarted.append(time.monotonic())

                restarter = threading.Thread(target=restart_soon)
                page.click("#cast")
                restarter.start()
                page.wait_for_selector("#retry:not([hidden])", timeout=60_000)
                said: Any = page.inner_text("#retry")
                assert "正在自动重试" in said and "请勿关闭本页" in said
                page.wait_for_selector("#done:not([hidden])", timeout=120_000)
                done = time.monotonic()
                tracker = page.inner_text("#tracker").replace(" ", "")
                restarter.join(timeout=120)
                assert restarted and restarted[0] < done  # the database restarted mid-cast
                browser.close()
            assert not problems, problems
            assert len(tracker) == 64
            assert sorted(set(proxy.dropped)) == sorted(LOSSY)  # each answer lost once
            assert not [(path, s) for path, s in proxy.statuses if s >= 500 and s != 503]
        with rt.db() as s:
            stored = s.scalars(select(m.Ballot.tracker)).all()
            issued = s.scalar(select(func.count()).select_from(m.Issuance))
        assert stored == [tracker] and issued == 1
        rt.engine.dispose()
