"""Can the server operator tell which member cast which ballot from what it holds? A room of 15
members in real Chromium pages: their pages are open when the chair opens the round, each
member then takes a realistic, random time to mark the ballot (a log-normal of median 20 s,
8 to 60 s) and casts. The operator is given the database (issuance and ballot rows in their
stored order) and the arrival time of every request (named issuances, anonymous casts), and
links members to ballots in the way that time and order allow best: the k-th issuance to the
k-th ballot (for any cost convex in the gap between issuance and cast, matching in order is
the optimal assignment). It must do no better than chance: one member in 15 on average.

A control shows the same linking works where timing does carry the link: matched to the
moment each member pressed "cast" (which the server never sees), it finds nearly everyone.

The measured rates are written to test-artifacts/linking.json."""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ballot.services.unit import transaction
from ballot.storage import models as m
from tests.browser.test_e2e_browser import ARTIFACTS, CHROMIUM, FLAGS, _playwright, checked_in
from tests.support.members import open_round
from tests.support.web import make_web_meeting, running_server, wait_for_confirmed

MEMBERS = [f"委员{i:02d}" for i in range(1, 16)]
ROSTER = [("主任甲", "chair")] + [(name, "member") for name in MEMBERS]


def marking_time(rng: random.Random) -> float:
    """Seconds a member spends reading and marking the ballot."""
    return min(60.0, max(8.0, rng.lognormvariate(math.log(20.0), 0.5)))


def in_order(first: list[tuple[float, str]], then: list[tuple[float, str]]) -> int:
    """How many members the k-th-to-k-th matching of two timed (or ordered) lists gets right."""
    a = [who for _, who in sorted(first)]
    b = [who for _, who in sorted(then)]
    return sum(x == y for x, y in zip(a, b, strict=True))


def test_an_operator_links_members_to_ballots_no_better_than_chance(tmp_path: Path) -> None:
    sync_playwright = _playwright()
    url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    app, meeting, inv = make_web_meeting(tmp_path, url, roster=ROSTER)
    app.extensions["ballot"].engine.dispose()  # type: ignore[attr-defined]
    rng = random.Random()  # a fresh room every run
    issued: list[tuple[float, str]] = []  # (arrival, member): the session names the member
    casts: list[tuple[float, str]] = []  # (arrival, whose): the operator does not see `whose`
    pressed: list[tuple[float, str]] = []  # the control: when each member pressed cast
    trackers: dict[str, str] = {}
    with running_server(tmp_path, url) as base, sync_playwright() as p:
        engine, db = checked_in(tmp_path, meeting, ["主任甲", *MEMBERS], browser=tuple(MEMBERS))
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        pages: dict[str, Any] = {}
        for name in MEMBERS:
            page = browser.new_context(locale="zh-CN").new_page()

            def seen(request: Any, name: str = name) -> None:
                if request.url.endswith("/vote/issue"):
                    issued.append((time.monotonic(), name))
                elif request.url.endswith("/vote/anon/cast"):
                    casts.append((time.monotonic(), name))

            page.on("request", seen)
            page.goto(f"{base}/login#{inv[name].code}")
            page.click("button[type=submit].primary")
            page.wait_for_load_state("networkidle")
            pages[name] = page  # waiting on "no round is open", reloading every 5 s
        wait_for_confirmed(db, meeting, 1 + len(MEMBERS))  # each page confirmed its check-in
        with transaction(db) as session:
            open_round(session, meeting)
        opened = time.monotonic()
        plan = sorted((opened + marking_time(rng), name) for name in MEMBERS)
        for name in MEMBERS:
            pages[name].wait_for_selector("#booth:not([hidden])", timeout=30_000)
        for at, name in plan:
            page = pages[name]
            for candidate in rng.sample(["甲公司", "乙公司", "丙公司", "丁公司"], 2):
                page.check(f"input[aria-label='{candidate} 同意']")
            time.sleep(max(0.0, at - time.monotonic()))
            page.click("#review")
            pressed.append((time.monotonic(), name))
            page.click("#cast")
        for name, page in pages.items():
            page.wait_for_selector("#done:not([hidden])", timeout=60_000)
            trackers[name] = page.inner_text("#tracker").replace(" ", "")
        browser.close()
        with db() as s:
            issuance_order = list(
                s.scalars(select(m.Member.name).join(m.Issuance).order_by(m.Issuance.id))
            )
            ballot_order = list(s.scalars(select(m.Ballot.tracker).order_by(m.Ballot.id)))
        engine.dispose()

    assert sorted(name for _, name in issued) == sorted(MEMBERS)  # one issuance each
    whose = {t: name for name, t in trackers.items()}
    stored = in_order(
        list(enumerate(issuance_order)), [(i, whose[t]) for i, t in enumerate(ballot_order)]
    )
    timed = in_order(issued, casts)
    control = in_order(pressed, casts)
    issuance_spread = max(t for t, _ in issued) - min(t for t, _ in issued)
    report = {
        "members": len(MEMBERS),
        "chance": 1 / len(MEMBERS),
        "linked_by_request_times": timed / len(MEMBERS),
        "linked_by_stored_order": stored / len(MEMBERS),
        "control_linked_by_cast_button_times": control / len(MEMBERS),
        "issuances_within_seconds_of_each_other": round(issuance_spread, 1),
        "first_issuance_after_open_s": round(min(t for t, _ in issued) - opened, 1),
    }
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / "linking.json").write_text(json.dumps(report, indent=1) + "\n")
    # chance gets 1 of 15 right on average; 5 or more by chance has probability ≈ 0.4 %
    assert timed <= 4 and stored <= 4, report
    assert control >= 12, report  # the linking itself is competent
