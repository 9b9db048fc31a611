"""End to end in a real headless Chromium (Debian's, driven by Playwright) against `ballot
serve`: a chair, five members in separate browser contexts and three scrutineers run a meeting
with an award ballot, a re-vote for a tie at the cut-off and a nominee ballot; the published
record passes `ballot verify`. A screenshot of every role's page is kept in
test-artifacts/e2e/ (or $BALLOT_E2E_ARTIFACTS).

Skipped, with the reason, where Chromium or Playwright is missing; never in CI (CI=1 makes a
missing browser a failure: .ci/run installs it)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ballot.devtools.browser_bench import CHROMIUM as DEFAULT_CHROMIUM
from ballot.devtools.browser_bench import CHROMIUM_ARGS
from ballot.protocol import statements
from ballot.services.setup import Invitation
from ballot.services.unit import transaction
from tests.support import ROOT
from tests.support.axe import serious_violations
from tests.support.members import open_round
from tests.support.web import make_web_meeting, running_server

CHROMIUM = os.environ.get("BALLOT_CHROMIUM", DEFAULT_CHROMIUM)
FLAGS = list(CHROMIUM_ARGS)  # the same headless flags as the browser benchmark
ARTIFACTS = Path(os.environ.get("BALLOT_E2E_ARTIFACTS", ROOT / "test-artifacts" / "e2e"))
MEMBERS = ["委员乙", "委员丙", "委员丁", "委员戊", "委员己"]
FINGERPRINT = r"\d{4}( \d{4}){5}"  # the election key's, as every page shows it

# (approve, oppose) per member, by candidate; the rest abstain.
AWARD = {  # 甲 4, 乙 3, 丙 3: 甲 takes a place, 乙 and 丙 tie at the cut-off (3 needed)
    "委员乙": (["甲公司", "乙公司"], ["丁公司"]),
    "委员丙": (["甲公司", "丙公司"], []),
    "委员丁": (["甲公司", "乙公司"], ["丙公司"]),
    "委员戊": (["甲公司", "丙公司"], []),
    "委员己": (["乙公司", "丙公司"], ["甲公司"]),
}
REVOTE = {  # 乙 3 of 1 place
    "委员乙": (["乙公司"], []),
    "委员丙": (["乙公司"], []),
    "委员丁": (["乙公司"], ["丙公司"]),
    "委员戊": (["丙公司"], []),
    "委员己": ([], []),
}
MOTION = {  # yes / no on 甲公司
    "委员乙": (["甲公司"], []),
    "委员丙": (["甲公司"], []),
    "委员丁": (["甲公司"], []),
    "委员戊": ([], ["甲公司"]),
    "委员己": ([], []),
}
NOMINEE = {  # 丙 3 for the nominee place
    "委员乙": (["丙公司"], []),
    "委员丙": (["丙公司"], []),
    "委员丁": (["丙公司"], []),
    "委员戊": (["丁公司"], []),
    "委员己": ([], ["丁公司"]),
}


def _playwright() -> Any:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("the playwright Python package (pip install -e '.[test]')")
        sync_playwright = None
    if missing:
        message = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must run it (.ci/run installs both)")
        pytest.skip(message)
    return sync_playwright


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, int, dict[str, Invitation], Path]]:
    url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    app, meeting, invitations = make_web_meeting(tmp_path, url, k=3)
    app.extensions["ballot"].engine.dispose()  # type: ignore[attr-defined]
    with running_server(tmp_path, url) as base:
        yield base, meeting, invitations, tmp_path


def checked_in(
    folder: Path, meeting: int, names: list[str], browser: tuple[str, ...] = ()
) -> tuple[Any, Any]:
    """The server's database (engine, sessions), with `names` checked in at `meeting`; each
    one's own device confirms it (a Python one), except those in `browser`, whose page or
    command line will."""
    from ballot.storage.engine import make_engine, sessions
    from tests.support.web import check_in

    engine = make_engine(f"sqlite:///{folder / 'e2e.sqlite3'}")
    db = sessions(engine)
    check_in(db, meeting, names, browser)
    return engine, db


def open_ballot(page: Any, url: str) -> None:
    """Go to `url` from a page that may be reloading itself (the waiting page reloads when a
    round opens, waiting.js): a navigation that the reload aborts is made again."""
    for attempt in range(3):
        try:
            page.goto(url)
            return
        except Exception as err:
            if "ERR_ABORTED" not in str(err) or attempt == 2:
                raise


SIZES = {"laptop": (1366, 768), "phone": (390, 844)}


def _without_scripts(page: Any) -> list[str]:
    """axe on a page shown with JavaScript off (axe itself is JavaScript): its HTML as the
    browser built it, scripts taken out and what <noscript> showed kept, in a scratch page of
    the same size that may run axe."""
    html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S)
    html = re.sub(r"<(/?)noscript\b", r"<\1div", html)
    base = re.match(r"https?://[^/]+", page.url)
    assert base is not None
    html = html.replace("<head>", f'<head><base href="{base[0]}/">', 1)
    scratch = page.context.browser.new_context(viewport=page.viewport_size).new_page()
    try:
        scratch.set_content(html, wait_until="load")
        return serious_violations(scratch)
    finally:
        scratch.context.close()


class Shots:
    """Every page state the test reaches: a screenshot at a laptop's and at a phone's size,
    and axe-core at both (no serious or critical violation, WCAG 2.1 AA contrast included)."""

    def __init__(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("*.png"):
            old.unlink()
        self.taken: list[Path] = []
        self.states = 0

    def __call__(self, page: Any, name: str, scripts: bool = True) -> None:
        self.states += 1
        was = page.viewport_size
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(100)  # (layout and the projector's fit settle)
            path = ARTIFACTS / f"{self.states:02d}-{name}-{size}.png"
            page.screenshot(path=str(path), full_page=True)
            self.taken.append(path)
            problems = serious_violations(page) if scripts else _without_scripts(page)
            assert not problems, f"{name} at {width}x{height}: " + "\n".join(problems)
        if was:
            page.set_viewport_size(was)


def test_a_whole_meeting_in_real_browsers(
    server: tuple[str, int, dict[str, Invitation], Path],
) -> None:
    sync_playwright = _playwright()
    base, _meeting, inv, folder = server
    shots = Shots()
    problems: list[str] = []
    expected: list[str] = []  # the network failures the test causes on purpose
    dropped: list[str] = []  # the answers the test lost on purpose
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)

        def person(name: str) -> Any:
            context = browser.new_context(
                locale="zh-CN", viewport={"width": 1100, "height": 900}, accept_downloads=True
            )
            page = context.new_page()
            page.on("console", lambda m: m.type == "error" and problems.append(f"{name}: {m.text}"))
            page.on("pageerror", lambda e: problems.append(f"{name}: {e}"))
            page.goto(f"{base}/login#{inv[name].code}")
            page.click("button[type=submit].primary")
            page.wait_for_load_state("networkidle")
            return page

        # the home page links every role's entry page
        home = browser.new_context().new_page()
        home.goto(base + "/")
        assert home.locator("ul.roles a").count() == 4
        shots(home, "home")
        home.goto(base + "/login")
        shots(home, "login")

        chair = person("主任甲")
        signed: list[str] = []  # what the chair's console asked the chair to sign

        def confirm(dialog: Any) -> None:
            signed.append(dialog.message)
            dialog.accept()

        chair.on("dialog", confirm)
        assert "/chair/" in chair.url
        assert chair.locator("#open-round").is_disabled()
        assert "需 4 人" in chair.inner_text("#open-reason")
        shots(chair, "chair-no-quorum")
        for name in ["主任甲", *MEMBERS]:
            chair.click(f"button[data-member='{name}']")
            chair.wait_for_load_state("networkidle")
        # checked in, but only the chair's own device (this console) has confirmed: the rest
        # are listed as awaiting their devices, and not counted
        chair.wait_for_selector("#presence-state:has-text('已到会')", timeout=30_000)
        chair.reload()
        assert "实到 1 人" in chair.inner_text("#quorum").replace("\n", "").replace(" ", " ")
        assert "委员乙" in chair.inner_text("#unconfirmed")
        assert chair.locator("#open-round").is_disabled()
        shots(chair, "chair-awaiting-confirmation")

        scrutineers = []
        for i in (1, 2, 3):
            page = person(f"监票人 {i}")
            page.set_input_files("#file", str(folder / "shares" / f"scrutineer-{i}.json"))
            page.fill("#passphrase", inv[f"监票人 {i}"].passphrase or "")
            page.click("#open")
            page.wait_for_selector("#state:has-text('份额已在本浏览器中打开')")
            scrutineers.append(page)
        shots(scrutineers[0], "scrutineer")
        # each scrutineer's page fingerprints the key from their own share file: one for all
        pinned = {x.inner_text("#key-fingerprint") for x in scrutineers}
        assert len(pinned) == 1 and re.fullmatch(FINGERPRINT, next(iter(pinned))), pinned
        fingerprint = pinned.pop()
        assert "份额文件" in scrutineers[0].inner_text(
            "#key-source"
        )  # (their own, not the server's)

        members = {name: person(name) for name in MEMBERS}
        # each member's page, waiting for the round, signed their presence when it opened:
        # the console counts them now (it reloads itself when the list of unconfirmed changes)
        for page in members.values():
            page.wait_for_selector("#presence-state:has-text('已到会')", timeout=30_000)
        chair.wait_for_function(
            "() => document.querySelector('[data-field=present]').textContent === '6'",
            timeout=30_000,
        )
        assert chair.locator("#unconfirmed").count() == 0
        shots(members["委员乙"], "member-waiting-confirmed")

        # Each member's page asks for its credential as soon as it sees a round open (their
        # pages are open already, waiting). 委员丙's first issuance lands on the server but its
        # answer is lost: the page sends the same request again, which is answered again, and
        # the vote goes on.
        def drop_first_answer(route: Any) -> None:
            if dropped:
                route.continue_()
                return
            answer = route.fetch()  # the server issues the credential …
            dropped.append(f"/vote/issue {answer.status}")
            route.abort()  # … and the answer never arrives

        members["委员丙"].route("**/vote/issue", drop_first_answer)
        expected.append("委员丙: Failed to load resource: net::ERR_FAILED")

        # without JavaScript the ballot page says why it cannot work, and offers no form
        nojs = browser.new_context(java_script_enabled=False).new_page()
        nojs.goto(f"{base}/login")
        nojs.fill("#code", inv["委员乙"].code)
        nojs.click("button[type=submit].primary")

        trackers: dict[str, list[str]] = {name: [] for name in MEMBERS}
        shown_key: dict[str, str] = {}  # the member key fingerprint a page showed

        def run_round(
            number: int,
            plan: dict[str, tuple[list[str], list[str]]],
            label: str,
            opener: str = "#open-round",
            interrupted: str | None = None,
        ) -> None:
            chair.click(opener)  # chair.js shows what it signs (accepted below) and signs it
            chair.wait_for_selector(f"#round h2:has-text('第 {number} 轮')", timeout=60_000)
            chair.wait_for_load_state("networkidle")
            if number == 1:
                text = nojs.goto(f"{base}/vote/") and nojs.inner_text("main")
                assert "投票需要启用 JavaScript" in text
                shots(nojs, "member-no-javascript", scripts=False)
            for name, page in members.items():
                open_ballot(page, f"{base}/vote/")
                try:
                    page.wait_for_selector("#booth:not([hidden])")
                except Exception:
                    raise AssertionError(f"{problems} {page.inner_text('main')}") from None
                # the page re-derived the key from the ceremony and shows its fingerprint
                page.wait_for_function(
                    "() => /^\\d{4}( \\d{4}){5}$/.test(document.querySelector('#key-fingerprint').textContent)"
                )
                assert page.inner_text("#key-fingerprint") == fingerprint
                if name == "委员乙" and number == 1:
                    page.wait_for_function(
                        "() => /^\\d{4} \\d{4} \\d{4}$/.test(document.querySelector('#member-key-fingerprint').textContent)"
                    )
                    shown_key[name] = page.inner_text("#member-key-fingerprint")
                approve, oppose = plan[name]
                for c in approve:
                    page.check(f"input[aria-label='{c} 同意']")
                for c in oppose:
                    page.check(f"input[aria-label='{c} 不同意']")
                left = int(page.inner_text("#left"))
                k = len(page.locator("input[value=approve]").all())
                if left == 0 and k > len(approve):  # an approval past the limit is taken back,
                    # and the member is told why; the whole cell is the tap target, not the circle
                    cell = page.locator("label.cell:has(input[value=approve]:not(:checked))").first
                    box = cell.bounding_box()
                    assert box is not None and box["height"] >= 44 and box["width"] >= 44
                    page.mouse.click(box["x"] + 4, box["y"] + 4)  # a corner, off the circle
                    page.wait_for_selector("#limit-note:not([hidden])")
                    assert "同意已达上限" in page.inner_text("#limit-note")
                    assert int(page.inner_text("#left")) == 0
                    assert page.locator("input[value=approve]:checked").count() == len(approve)
                if name == "委员乙":
                    shots(page, f"member-ballot-{label}")
                page.click("#review")
                if name == "委员乙":
                    shots(page, f"member-review-{label}")
                if name == "委员乙" and number == 1:  # a Benaloh challenge before casting
                    page.click("#audit")
                    page.wait_for_selector("#audit-note:not([hidden])")
                    with page.expect_download() as audit_download:
                        page.click("#audit-file")
                    audit_download.value.save_as(str(folder / "audit.json"))
                    shots(page, "member-audit")
                if name == interrupted:  # the network drops after the credential is issued
                    page.route("**/vote/anon/register", lambda route: route.abort())
                    expected.append(f"{name}: Failed to load resource: net::ERR_FAILED")
                page.click("#cast")
            for name, page in members.items():
                if name == interrupted:  # the page says so (it would finish by itself once
                    # the network is back: tests/browser/test_phone.py); reloading finishes it too
                    page.wait_for_selector("#error:not([hidden])", timeout=90_000)
                    said = page.inner_text("#error")
                    assert "网络中断了" in said and "自动继续投出" in said  # and what happens
                    page.unroute("**/vote/anon/register")
                    page.goto(f"{base}/vote/")
                    assert page.locator("#issued-note").is_hidden()  # it finishes the cast
                    shots(page, "member-resumed")
                page.wait_for_selector("#done:not([hidden])", timeout=90_000)
                trackers[name].append(page.inner_text("#tracker").replace(" ", ""))
            shots(members["委员乙"], f"member-tracker-{label}")
            chair.reload()
            assert "收回 5" in chair.inner_text("#round").replace("\n", "")
            # the room's check for a slot filled by someone else: hands of those who voted
            assert "已投票的委员举手" in chair.inner_text("#hands")
            shots(chair, f"chair-round-{label}")
            # members cannot vote twice: back on the page, the device that cast says 已投出 with
            # the tracker it kept, and shows no ballot
            again = members["委员乙"]
            again.goto(f"{base}/vote/")
            again.wait_for_selector("#done:not([hidden])")
            assert "已投出" in again.inner_text("#done")
            assert again.inner_text("#tracker").replace(" ", "") == trackers["委员乙"][-1]
            assert again.locator("#booth").is_hidden()
            chair.click("#round button.primary")
            try:
                chair.wait_for_selector("text=引擎决定", timeout=90_000)
            except Exception as err:
                shots(chair, f"chair-stuck-{label}")
                states = [x.inner_text("main") for x in scrutineers]
                raise AssertionError(f"{err} {problems} {states}") from None
            # the member who cast is told the round is over, and that their ballot was in
            again.wait_for_selector("#round-over:not([hidden])", timeout=30_000)
            assert "您的选票已投出" in again.inner_text("#round-over")
            shots(chair, f"chair-decision-{label}")

        run_round(1, AWARD, "award")
        assert dropped == ["/vote/issue 200"]  # issued, answer lost, and still cast
        # the chair was shown what they signed, from the body itself: who is present by name
        # at the open, the ballots returned at the close
        assert "开始第 1 轮投票" in signed[0] and "主任甲、委员乙、委员丙" in signed[0]
        assert "结束第 1 轮投票" in signed[1] and "收回选票 5 张" in signed[1]
        assert "平局" in chair.inner_text("#round") or "再投票" in chair.inner_text("#round")
        run_round(2, REVOTE, "revote", interrupted="委员丁")
        run_round(3, NOMINEE, "nominee")
        result = chair.inner_text("#round")
        assert "最终结果" in result and "甲公司、乙公司" in result and "丙公司" in result
        # an objection after publication is reviewed by a motion (复议): yes 3 of 6 needed 3
        chair.select_option("#candidate", "甲公司")
        run_round(4, MOTION, "motion", opener="#open-motion")
        assert "甲公司: 同意 3 票；需 3 票" in chair.inner_text("#round")
        assert "通过" in chair.inner_text("#round")
        shots(scrutineers[1], "scrutineer-after")
        # the result is complete: the chair checks it on the console and signs it, and so does
        # each scrutineer on their page (k = 3 of 3 here)
        chair.reload()
        chair.click("#sign-result")
        chair.wait_for_selector("#result-signatures:has-text('您已签署最终结果')", timeout=60_000)
        assert "签署本次会议的最终结果" in signed[-1] and "甲公司、乙公司" in signed[-1]
        for page in scrutineers:
            page.wait_for_selector("#sign-result:visible", timeout=30_000)
            assert "甲公司、乙公司" in page.inner_text("#result-lines")
            page.click("#sign-result")
            page.wait_for_selector("#result-state:has-text('您已签署最终结果')", timeout=60_000)
        shots(scrutineers[2], "scrutineer-result-signed")
        chair.reload()
        assert "3 / 需 3" in chair.inner_text("#result-signatures")
        # a member's page no longer waits for a next round: the meeting is over
        done = members["委员乙"]
        open_ballot(done, f"{base}/vote/")
        done.wait_for_selector("#meeting-over", timeout=30_000)
        assert "会议已结束" in done.inner_text("main")
        shots(done, "member-meeting-over")

        public_id = chair.get_attribute("a[href$='/screen']", "href").split("/")[2]  # type: ignore[union-attr]
        screen = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        screen.goto(f"{base}/m/{public_id}/screen")
        assert screen.inner_text("#key-fingerprint") == fingerprint
        shots(screen, "projector")
        screen.goto(f"{base}/m/{public_id}/")
        assert screen.inner_text("#key-fingerprint") == fingerprint  # on the printed result
        shots(screen, "results")
        screen.emulate_media(media="print")
        shots(screen, "results-print")
        screen.emulate_media(media="screen")
        screen.goto(f"{base}/m/{public_id}/round/1")
        assert "监票人 1" in screen.inner_text("main")
        screen.goto(f"{base}/m/{public_id}/tracker?t={trackers['委员丙'][0]}")
        assert "已找到" in screen.inner_text("main")
        shots(screen, "tracker-lookup")
        screen.goto(f"{base}/lang/en?next=/m/{public_id}/")
        assert "Final result" in screen.inner_text("main")
        shots(screen, "results-english")
        office = person("会务组")
        shots(office, "office")

        record = screen.request.get(f"{base}/m/{public_id}/record.json")
        assert record.ok
        (folder / "record.json").write_bytes(record.body())
        browser.close()

    # every member's page made a key for the meeting and enrolled it (PROTOCOL.md §14), and
    # showed its fingerprint
    events = json.loads((folder / "record.json").read_text("utf-8"))["events"]
    keys = {e["body"]["member"]: e["body"]["key"] for e in events if e["kind"] == "member-key"}
    assert set(keys) == {"主任甲", *MEMBERS}  # (the chair's console is the chair's device)
    # and each one's device signed their presence, which the record keeps
    confirmed = {e["body"]["member"] for e in events if e["kind"] == "presence"}
    assert confirmed == {"主任甲", *MEMBERS}
    assert shown_key["委员乙"] == statements.key_fingerprint(bytes.fromhex(keys["委员乙"]))

    unexpected = [x for x in problems if x not in expected]
    assert not unexpected, unexpected
    assert all(len(t) == 4 for t in trackers.values())
    assert len({x for t in trackers.values() for x in t}) == 20
    checked = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(folder / "record.json"),
         "--expect-key", fingerprint],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert checked.returncode == 0 and "ALL CHECKS PASSED" in checked.stdout, checked.stdout
    assert "PASS  election-key" in checked.stdout  # made under the key the scrutineers hold
    # the record names the browser files the pages ran, and they are this version's
    assert "browser file protocol.js" in checked.stdout
    assert "DIFFERS" not in checked.stdout
    audited = subprocess.run(
        [sys.executable, "-m", "ballot", "audit", str(folder / "audit.json"),
         "--record", str(folder / "record.json")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert audited.returncode == 0, audited.stdout + audited.stderr
    assert "AUDIT PASSED" in audited.stdout and "match the record" in audited.stdout
    assert "甲公司: approve 同意" in audited.stdout and "丁公司: oppose 不同意" in audited.stdout
    found = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(folder / "record.json"),
         "--tracker", trackers["委员己"][1]],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert found.returncode == 0 and "round 2" in found.stdout
    assert len(shots.taken) >= 20


def test_ballot_vote_casts_from_the_command_line(
    server: tuple[str, int, dict[str, Invitation], Path],
) -> None:
    """The Python voter speaks the same routes as the page (no browser needed)."""
    from sqlalchemy import select

    from ballot.services import overview
    from ballot.storage import models as m

    base, meeting, inv, folder = server
    # 委员乙 votes from the command line, whose key file confirms the check-in
    engine, db = checked_in(folder, meeting, ["主任甲", *MEMBERS[:3]], browser=("委员乙",))

    (folder / "member-key-passphrase").write_text("member key passphrase\n", "utf-8")

    def vote(name: str, choices: str, *more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ballot", "vote", base, "--code", inv[name].code,
             "--choices", choices, "--member-key", str(folder / f"{name}.key"),
             "--passphrase-file", str(folder / "member-key-passphrase"), *more],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    none_open = vote("委员乙", "a,a,x,x")  # (its presence is confirmed all the same)
    assert none_open.returncode == 1 and "no round is open" in none_open.stderr
    assert "your presence is confirmed" in none_open.stdout
    with transaction(db) as session:
        open_round(session, meeting)
    bad = vote("委员乙", "a,a,x")
    assert (
        bad.returncode == 1
        and "4 choices are needed" in bad.stderr
        and "Traceback" not in bad.stderr
    )
    with db() as s:
        fingerprint = overview.meeting_view(s, meeting).fingerprint
    assert fingerprint is not None
    other = ("1" if fingerprint[0] != "1" else "2") + fingerprint[1:]
    # a round whose key is not the recorded ceremony's is refused before anything is sent
    from ballot.clients.http import ClientError
    from ballot.clients.voter import HttpVoter

    voter = HttpVoter(base)
    voter.login(inv["委员乙"].code)
    served, _ = voter.current_round()
    assert served is not None
    with pytest.raises(ClientError) as err:
        voter.check_key({**served, "key": "3"}, None)
    assert err.value.code == "key-mismatch"
    refused = vote("委员乙", "a,o,a,x", "--expect-key", other)
    assert refused.returncode == 1 and f"not the expected {other}" in refused.stderr
    with db() as s:  # nothing was sent: no credential was issued
        assert s.scalar(select(m.Issuance.id)) is None
    ok = vote("委员乙", "a,o,a,x", "--expect-key", fingerprint)
    assert ok.returncode == 0, ok.stderr
    assert f"election key fingerprint {fingerprint} (as expected)" in ok.stdout
    tracker = ok.stdout.strip().split()[-1]
    with db() as s:
        assert s.scalar(select(m.Ballot.tracker)) == tracker
    again = vote("委员乙", "a,o,a,x")
    assert again.returncode == 1 and "already" in again.stderr
    absent = vote("委员戊", "a,o,a,x")
    assert absent.returncode == 1 and "not checked in" in absent.stderr
    wrong = vote("委员丙", "a,o,a,x".replace("a,o", "a,q"))
    assert wrong.returncode == 1 and "'q' is not a choice" in wrong.stderr
    unreachable = subprocess.run(
        [sys.executable, "-m", "ballot", "vote", "http://localhost:9", "--code", "X", "--choices", "a"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert unreachable.returncode == 1 and "cannot reach" in unreachable.stderr
    engine.dispose()


def test_the_key_ceremony_held_in_three_browsers(tmp_path: Path) -> None:
    """The office's real meeting: three scrutineers hold the ceremony in their own browsers
    at the same time, download their sealed share files, and the meeting opens."""
    sync_playwright = _playwright()
    from sqlalchemy import select

    from ballot.crypto import keystore
    from ballot.crypto.group import production_group
    from ballot.services import overview
    from ballot.services.setup import plan_meeting
    from ballot.storage import models as m
    from ballot.web import create_app

    url = f"sqlite:///{tmp_path / 'ceremony.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "KEYS": str(tmp_path / "keys")})
    rt = app.extensions["ballot"]
    slate = {"profile": "jiaxing-2020", "candidates": ["甲公司", "乙公司", "丙公司"], "others": [],
             "rules": {"tiers": [{"id": "award", "places": 1}, {"id": "nominee", "places": 1}]}}  # fmt: skip
    with transaction(rt.db) as session:
        meeting, _, invitations = plan_meeting(
            session, "仪式评委会", "姓名,角色\n主任甲,主任\n委员乙,委员\n委员丙,委员\n", "仪式会议",
            slate, 2, ["王监票", "李监票", "赵监票"],
        )  # fmt: skip
    rt.engine.dispose()
    codes = {x.name: x.code for x in invitations}
    problems: list[str] = []
    with running_server(tmp_path, url) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        pages = []
        for i, name in enumerate(["王监票", "李监票", "赵监票"], start=1):
            context = browser.new_context(locale="zh-CN", accept_downloads=True)
            page = context.new_page()
            page.on("pageerror", lambda e, name=name: problems.append(f"{name}: {e}"))
            page.goto(f"{base}/login#{codes[name]}")
            page.click("button[type=submit].primary")
            page.wait_for_selector("#ceremony-form:not([hidden])")
            page.fill("#new-passphrase", f"passphrase number {i}")
            page.fill("#new-passphrase-2", f"passphrase number {i}")
            pages.append(page)
        for page in pages:  # all three at once, as in the room
            page.click("#ceremony-start")
        digests, fingerprints = set(), set()
        for i, page in enumerate(pages, start=1):
            page.wait_for_selector("#share-download:not([hidden])", timeout=120_000)
            digests.add(page.inner_text("#ceremony-digest").split("：")[-1].strip())
            if i == 1:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "90-scrutineer-ceremony.png"), full_page=True)
            with page.expect_download() as download:
                page.click("#share-download")
            download.value.save_as(str(tmp_path / f"share-{i}.json"))
            fingerprints.add(page.inner_text("#key-fingerprint"))
        assert len(digests) == 1, digests
        assert len(fingerprints) == 1 and re.fullmatch(FINGERPRINT, next(iter(fingerprints)))
        browser.close()
    assert not problems, problems
    engine_app = create_app({"DATABASE_URL": url, "KEYS": str(tmp_path / "keys")})
    rt = engine_app.extensions["ballot"]
    with rt.db() as s:
        row = s.get(m.Meeting, meeting)
        assert row is not None and row.status == "open"
        joint = int(row.joint_key or "0", 16)
        opened = s.scalar(select(m.Event.body).where(m.Event.kind == "meeting-opened"))
        ceremony_body = s.scalar(select(m.Event.body).where(m.Event.kind == "ceremony"))
    assert opened is not None and "ceremony.js" in opened
    group = production_group()
    shares = [
        keystore.open_share((tmp_path / f"share-{i}.json").read_text(), f"passphrase number {i}")
        for i in (1, 2, 3)
    ]
    # each share file keeps what its own ceremony gave, and the server's view agrees
    assert {(x.transcript_digest, x.joint_key) for x in shares} == {
        (json.loads(str(ceremony_body))["transcript_digest"], format(joint, "x"))
    }
    with rt.db() as s:
        assert overview.meeting_view(s, meeting).fingerprint == fingerprints.pop()
    # any 2 of the 3 shares interpolate to the joint secret: g^s = the joint key
    l1, l2 = 2, group.q - 1  # Lagrange coefficients at 0 for indices 1 and 2
    secret = (l1 * shares[0].secret + l2 * shares[1].secret) % group.q
    assert pow(group.g, secret, group.p) == joint
    rt.engine.dispose()


def test_a_ballot_page_served_another_election_key(
    server: tuple[str, int, dict[str, Invitation], Path],
) -> None:
    """The operator serves one member's ballot page a key of its own. Swapping the key alone:
    the page re-derives the key from the ceremony transcript, refuses, and sends nothing.
    Swapping transcript and key together: the page cannot tell, but it shows another
    fingerprint than the projector and the scrutineers — the member notices (docs/threat-model.md)."""
    sync_playwright = _playwright()
    from ballot.crypto.group import production_group
    from ballot.services import overview

    base, meeting, inv, folder = server
    engine, db = checked_in(folder, meeting, ["主任甲", *MEMBERS[:3]])
    with transaction(db) as session:
        open_round(session, meeting)
    with db() as s:
        view = overview.meeting_view(s, meeting)
        transcript = overview.ceremony_transcript(s, meeting)
    g = production_group()
    real = transcript["joint_key"]
    mine = pow(int(g.g), 12345, int(g.p))  # the operator knows this key's secret
    others = 1
    for msg in transcript["messages"][1:]:
        others = others * int(msg["coefficients"][0]["value"], 16) % int(g.p)
    forged_key = format(mine * others % int(g.p), "x")
    forged_transcript = json.loads(json.dumps(transcript))
    forged_transcript["messages"][0]["coefficients"][0]["value"] = format(mine, "x")
    forged_transcript["joint_key"] = forged_key

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        sent: list[str] = []

        def member(name: str, swap_transcript: bool, transcript: Any = forged_transcript) -> Any:
            page = browser.new_context(locale="zh-CN").new_page()
            page.goto(f"{base}/login#{inv[name].code}")  # (a redirect, which routes skip,
            page.click("button[type=submit].primary")  # to the honest ballot page)
            page.wait_for_load_state("networkidle")
            if not swap_transcript:
                page.on("request", lambda r: sent.append(r.url) if "/vote/" in r.url else None)

            def booth(route: Any) -> None:
                answer = route.fetch()
                route.fulfill(response=answer, body=answer.text().replace(real, forged_key))

            def ceremony(route: Any) -> None:
                route.fulfill(json=transcript)

            page.route("**/vote/", booth)
            if swap_transcript:
                page.route("**/ceremony.json", ceremony)
            page.goto(f"{base}/vote/")  # now as the operator serves it
            return page

        alone = member("委员乙", swap_transcript=False)
        alone.wait_for_selector("#error:not([hidden])", timeout=60_000)
        assert "不是监票人密钥仪式产生的公钥" in alone.inner_text("#error")
        assert alone.locator("#booth").is_hidden() and alone.locator("#cast").is_hidden()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        alone.screenshot(path=str(ARTIFACTS / "91-member-key-refused.png"), full_page=True)

        # another meeting's ceremony (the digest names the meeting): refused as well
        elsewhere = member("委员丁", True, {**forged_transcript, "ceremonyId": "other/ceremony"})
        elsewhere.wait_for_selector("#error:not([hidden])", timeout=60_000)
        assert "不是监票人密钥仪式产生的公钥" in elsewhere.inner_text("#error")

        both = member("委员丙", swap_transcript=True)
        both.wait_for_function(
            "() => /^\\d{4}( \\d{4}){5}$/.test(document.querySelector('#key-fingerprint').textContent)"
        )
        shown = both.inner_text("#key-fingerprint")
        assert shown != view.fingerprint  # what the projector and the scrutineers show
        screen = browser.new_context().new_page()
        screen.goto(f"{base}/m/{view.public_id}/screen")
        assert screen.inner_text("#key-fingerprint") == view.fingerprint != shown
        browser.close()
    # the refused page sent nothing (its request for the page itself aside, and its poll for
    # the next round, which every open page makes from load and which carries nothing)
    assert [u for u in sent if not u.endswith(("/vote/", "/vote/round.json"))] == []
    engine.dispose()


def test_a_scrutineer_page_served_another_ceremony_decrypts_nothing(
    server: tuple[str, int, dict[str, Invitation], Path],
) -> None:
    """The operator serves a scrutineer's page a transcript whose key is its own: the page,
    which fingerprints the key from the share file, refuses to go on and sends no share."""
    sync_playwright = _playwright()
    from ballot.services import overview

    base, meeting, inv, folder = server
    engine, db = checked_in(folder, meeting, [])
    with db() as s:
        transcript = overview.ceremony_transcript(s, meeting)
    engine.dispose()
    forged = json.loads(json.dumps(transcript))
    forged["messages"][0]["coefficients"][0]["value"] = "3"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_context(locale="zh-CN").new_page()
        sent: list[str] = []
        page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
        page.route("**/ceremony.json", lambda route: route.fulfill(json=forged))
        page.goto(f"{base}/login#{inv['监票人 1'].code}")
        page.click("button[type=submit].primary")
        page.wait_for_load_state("networkidle")
        page.set_input_files("#file", str(folder / "shares" / "scrutineer-1.json"))
        page.fill("#passphrase", inv["监票人 1"].passphrase or "")
        page.click("#open")
        page.wait_for_selector("#error:not([hidden])", timeout=60_000)
        assert "本页不会解密任何内容" in page.inner_text("#error")
        assert page.locator("#unlock").is_visible()  # the share was not taken into use
        browser.close()
    assert [u for u in sent if "/scrutineer/" in u] == []
