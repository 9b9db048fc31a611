"""The ballot page where a room trips: two tabs of one member, a round that closes before the
member casts, and the tracker lookup that must not show the server the member's session beside
their tracker. Real Chromium against `ballot serve`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ballot.services.setup import Invitation
from ballot.services.unit import transaction
from ballot.storage import models as m
from tests.browser.test_e2e_browser import CHROMIUM, FLAGS, _playwright, checked_in
from tests.support.members import open_round
from tests.support.web import ROSTER, make_web_meeting, running_server

EVERYONE = [name for name, _ in ROSTER]


@contextmanager
def _room(
    tmp_path: Path, browser: tuple[str, ...] = ("委员乙", "委员丙")
) -> Iterator[tuple[str, int, dict[str, Invitation], Any, Any]]:
    """`ballot serve` on a fresh meeting with everyone checked in, and Chromium: (base url,
    meeting id, invitations, database sessions, browser). Those in `browser` confirm from
    their pages; the other four's devices have (a quorum)."""
    sync_playwright = _playwright()
    url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    app, meeting, inv = make_web_meeting(tmp_path, url)
    app.extensions["ballot"].engine.dispose()  # type: ignore[attr-defined]
    with running_server(tmp_path, url) as base, sync_playwright() as p:
        engine, db = checked_in(tmp_path, meeting, EVERYONE, browser=browser)
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield base, meeting, inv, db, chromium
        finally:
            chromium.close()
            engine.dispose()


def _member_page(context: Any, base: str, code: str) -> Any:
    page = context.new_page()
    page.goto(f"{base}/login#{code}")
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    return page


def _ballot_ready(page: Any, base: str) -> None:
    page.goto(f"{base}/vote/")
    page.wait_for_selector("#booth:not([hidden])")
    page.wait_for_selector("#credential-state:has-text('已领取')", timeout=60_000)


def test_two_tabs_cast_once_and_the_tracker_is_looked_up_without_the_session(
    tmp_path: Path,
) -> None:
    with _room(tmp_path) as (base, meeting, inv, db, browser):
        context = browser.new_context(locale="zh-CN")
        first = _member_page(context, base, inv["委员乙"].code)  # no round open yet
        second = context.new_page()
        with transaction(db) as session:
            open_round(session, meeting)

        def slow(route: Any) -> None:  # a slow room network: both tabs ask before either hears
            time.sleep(1.5)
            route.continue_()

        context.route("**/vote/issue", slow)
        # a slow phone: making a key takes a second, so both tabs look for a stored credential
        # before either has stored one (without a lock between them, one tab's "already
        # issued" would delete the credential the other was issued)
        context.add_init_script(
            """(() => {
                const make = crypto.subtle.generateKey.bind(crypto.subtle);
                crypto.subtle.generateKey = (...a) => new Promise((ok) => setTimeout(ok, 1000)).then(() => make(...a));
            })()"""
        )
        # both tabs open the ballot at once: one credential is asked for, and both hold it
        first.goto(f"{base}/vote/", wait_until="commit")
        second.goto(f"{base}/vote/", wait_until="commit")
        for page in (first, second):
            page.wait_for_selector("#credential-state:has-text('已领取')", timeout=60_000)
        for page in (first, second):
            page.check("input[aria-label='甲公司 同意']")
            page.click("#review")
        first.click("#cast")
        first.wait_for_selector("#done:not([hidden])", timeout=60_000)
        tracker = first.inner_text("#tracker").replace(" ", "")
        second.click("#cast")  # the other tab: not cast, and it says so
        second.wait_for_selector("#issued-card:not([hidden])", timeout=60_000)
        assert "另一个窗口" in second.inner_text("#issued-note")
        assert second.locator("#done").is_hidden()
        with db() as s:
            assert s.scalar(select(func.count()).select_from(m.Issuance)) == 1
            assert s.scalar(select(func.count()).select_from(m.Ballot)) == 1
            assert s.scalar(select(m.Ballot.tracker)) == tracker

        # the lookup link carries the tracker in the fragment; the page asks without cookies
        seen: list[tuple[str, dict[str, str]]] = []
        first.on("request", lambda r: seen.append((r.url, r.all_headers())))
        first.click("#lookup")
        first.wait_for_selector("#lookup-result:not([hidden])", timeout=30_000)
        assert "已收到" in first.inner_text("#lookup-result")
        with_tracker = [(u, h) for u, h in seen if tracker in u]
        assert with_tracker and all("/tracker.json?t=" in u for u, _ in with_tracker)
        assert all("cookie" not in {k.lower() for k in h} for _, h in with_tracker), with_tracker
        # a mistyped tracker is named as such
        first.fill("#t", "12")
        first.click("#lookup-form button[type=submit]")
        first.wait_for_selector("#lookup-result:has-text('64 位')")


def test_a_round_closed_before_the_cast_is_said_plainly_and_nothing_is_kept(
    tmp_path: Path,
) -> None:
    with _room(tmp_path, browser=("委员乙", "主任甲")) as (base, _, inv, _db, browser):
        # the chair's console is the chair's device: it confirms the chair and signs the round
        chair = _member_page(browser.new_context(locale="zh-CN"), base, inv["主任甲"].code)
        chair.wait_for_selector("#presence-state:has-text('已到会')", timeout=30_000)
        chair.on("dialog", lambda d: d.accept())
        chair.reload()
        chair.click("#open-round")
        chair.wait_for_selector("#round button.primary:has-text('结束本轮投票')", timeout=60_000)
        member = _member_page(browser.new_context(locale="zh-CN"), base, inv["委员乙"].code)
        _ballot_ready(member, base)
        chair.click("#round button.primary")  # the chair closes the round
        chair.wait_for_load_state("networkidle")
        member.click("#review")
        member.click("#cast")
        member.wait_for_selector("#error:not([hidden])", timeout=60_000)
        text = member.inner_text("#error")
        assert "本轮投票已结束" in text and "未被计入" in text
        assert "刷新" not in text  # no advice to reload: reloading would not help
        kept = member.evaluate(
            """() => new Promise((resolve) => {
                const open = indexedDB.open("ballot", 1);
                open.onsuccess = () => {
                    const all = open.result.transaction("credentials").objectStore("credentials").getAllKeys();
                    all.onsuccess = () => resolve(all.result.filter((k) => k.startsWith("ballot-credential/")));
                };
            })"""
        )
        assert kept == [] and member.evaluate("() => localStorage.length") == 0


def test_a_key_the_office_withdrew_is_replaced_by_a_new_one_and_the_member_still_votes(
    tmp_path: Path,
) -> None:
    from ballot.services import member_keys

    with _room(tmp_path) as (base, meeting, inv, db, browser):
        with transaction(db) as session:
            open_round(session, meeting)
        member = _member_page(browser.new_context(locale="zh-CN"), base, inv["委员乙"].code)
        _ballot_ready(member, base)  # the key enrolled, the credential issued with it
        member.wait_for_selector("#member-key-fingerprint:not(:has-text('…'))")
        before = member.inner_text("#member-key-fingerprint")
        with db() as s:
            who = s.scalar(select(m.Member.id).where(m.Member.name == "委员乙"))
        with transaction(db) as session:  # the office, told the device was lost (by mistake)
            member_keys.replace_key(session, who)
        member.goto(f"{base}/vote/")
        member.wait_for_selector("#booth:not([hidden])")
        member.wait_for_function(
            "(old) => { const t = document.getElementById('member-key-fingerprint').textContent;"
            " return t !== '…' && t !== old; }",
            arg=before,
            timeout=60_000,
        )
        said = member.inner_text("#key-withdrawn")  # said, for one who reported nothing
        assert "会务组撤销了本设备原来的成员密钥" in said and "告知主任" in said
        with db() as s:
            kinds = list(
                s.scalars(
                    select(m.Event.kind)
                    .where(m.Event.kind.like("member-key%"), m.Event.body.contains("委员乙"))
                    .order_by(m.Event.seq)
                )
            )
        assert kinds == ["member-key", "member-key-replaced", "member-key"]
        member.click("#review")  # the credential it already holds is still its own to cast
        member.click("#cast")
        member.wait_for_selector("#done:not([hidden])", timeout=60_000)
        with db() as s:
            assert s.scalar(select(func.count()).select_from(m.Ballot)) == 1


def test_a_round_served_with_another_rounds_id_is_refused_before_anything_is_signed(
    tmp_path: Path,
) -> None:
    with _room(tmp_path) as (base, meeting, inv, db, browser):
        # logged in before the round opens (a page that sees the round takes its credential)
        other = _member_page(browser.new_context(locale="zh-CN"), base, inv["委员丙"].code)
        with transaction(db) as session:
            open_round(session, meeting)

        def next_rounds_id(route: Any) -> None:  # the operator serves round 2's id as round 1's
            answer = route.fetch()
            route.fulfill(response=answer, body=answer.text().replace('/round-1"', '/round-2"'))

        sent: list[str] = []
        other.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
        other.route(f"{base}/vote/", next_rounds_id)
        other.goto(f"{base}/vote/")
        other.wait_for_selector("#error:not([hidden])", timeout=60_000)
        assert "轮次编号与其内容不符" in other.inner_text("#error")
        assert not any(u.endswith(("/vote/issue", "/vote/enrol")) for u in sent), sent
        with db() as s:  # 委员丙 took no credential
            assert s.scalar(select(func.count()).select_from(m.Issuance)) == 0
