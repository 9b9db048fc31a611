"""An office clerk's path in Chromium, no JSON typed (issue 13, items 3 and 6): the roster and
the score sheet uploaded as Excel files, the slate computed by the regulation's rules and
confirmed as a table, the access-code slips printed — Chromium prints the codes page to A4,
four slips a page with their cut lines; pdftoppm renders the pages and zbarimg reads every QR
code, which must open that person's login with their code filled in; the printed text
carries each name, role, code and the three lines of instructions — and the meeting held:
the scrutineers' key ceremony on their own command lines, a round cast and counted."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ballot.services import overview
from ballot.services.unit import transaction
from ballot.storage import models as m
from ballot.web import create_app
from tests.browser.test_e2e_browser import CHROMIUM, FLAGS, _playwright
from tests.support import ROOT
from tests.support.members import cast_as, check_in, close_round, open_round
from tests.support.web import running_server

ROSTER = [("姓名", "角色"), ("主任甲", "主任"), *((f"委员{i}", "委员") for i in range(1, 9))]
SCORES = [("受评组织", "资料评审", "现场评审"),
          *((f"受评组织{i:02d}", 900 - 9 * i, 880.5 - 7 * i) for i in range(1, 21))]  # fmt: skip
SCRUTINEERS = ["王监票", "李监票", "赵监票"]
SHOTS = Path(os.environ.get("BALLOT_E2E_ARTIFACTS", ROOT / "test-artifacts" / "e2e")) / "office"


def test_the_office_sets_up_from_excel_prints_slips_and_the_meeting_is_held(tmp_path: Path) -> None:
    missing = [tool for tool in ("pdftoppm", "pdftotext", "zbarimg") if shutil.which(tool) is None]
    if missing:
        message = f"the slips test needs {', '.join(missing)} (Debian: poppler-utils zbar-tools)"
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must run it (.ci/run installs them)")
        pytest.skip(message)
    sync_playwright = _playwright()
    url = f"sqlite:///{tmp_path / 'slips.sqlite3'}"
    made = subprocess.run([sys.executable, "-m", "ballot", "office", "--database-url", url],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert made.returncode == 0, made.stderr
    office_code = made.stdout.split()[made.stdout.split().index("会务组登录:") + 1]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_server(tmp_path, url) as base, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
            page.goto(f"{base}/login#{office_code}")
            page.click("button[type=submit].primary")
            page.goto(f"{base}/office/new")
            page.fill("#committee", "质量奖评委会")
            page.fill("#title", "二〇二六年评审会")
            page.set_input_files("#roster_file", str(_workbook(tmp_path / "名单.xlsx", ROSTER)))
            page.set_input_files("#scores_file", str(_workbook(tmp_path / "评分.xlsx", SCORES)))
            assert page.input_value("#places-award") == "5"  # the regulation's own numbers
            assert page.input_value("#places-nominee") == "3"
            assert page.input_value("#places-innovation") == ""  # left to the committee
            page.fill("#scrutineers", "\n".join(SCRUTINEERS))
            page.fill("#k", "2")
            page.click("#preview")
            page.wait_for_load_state("networkidle")
            # the slate as a table to confirm: 16 candidates (twice the 8 places, §三(三)1①)
            # by the weighted score, the profile's own tier names, the roster as read
            slate = page.inner_text("#confirm-slate")
            assert "质量奖、提名奖 — 16 个候选组织" in slate, slate
            rows = page.locator("#confirm-slate tbody tr")
            assert rows.count() == 16
            first = rows.nth(0).inner_text().split("\t")[1:]
            assert first == ["受评组织01", "878.75"]  # 891 × 30 % + 873.5 × 70 %
            assert "受评组织17" not in slate.split("其他受评组织")[0]
            assert "质量奖 5 名" in slate and "提名奖 3 名" in slate
            assert "质量奖、提名奖候选名单：按得分取前 16 名" in slate  # the profile's tier names
            assert "award" not in slate and "nominee" not in slate
            assert page.locator("#confirm-roster tbody tr").count() == 9
            assert "主任" in page.inner_text("#confirm-roster")
            page.screenshot(path=str(SHOTS / "office-confirm.png"), full_page=True)
            page.click("#create")
            page.wait_for_load_state("networkidle")
            assert page.locator(".slip").count() > 0, page.inner_text("main")[:2000]
            page.screenshot(path=str(SHOTS / "codes-screen.png"), full_page=True)
            html = page.content()
            codes = dict(re.findall(r"<strong>([^<]+)</strong>.*?class=\"code\">([A-Z0-9-]+)<",
                                    html, re.S))  # fmt: skip
            people = [name for name, _ in ROSTER[1:]] + SCRUTINEERS
            assert sorted(codes) == sorted(people)
            page.emulate_media(media="print")
            pdf = tmp_path / "slips.pdf"
            page.pdf(path=str(pdf), format="A4", print_background=True)
            member_page = chromium.new_context().new_page()  # a member scans their slip
            text_of = {}
            found: list[str] = []
            pages = len(people) // 4 + (1 if len(people) % 4 else 0)
            subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")],
                           check=True, timeout=120)  # fmt: skip
            images = sorted(tmp_path.glob("page-*.png"))
            assert len(images) == pages, f"{len(images)} pages for {len(people)} slips"
            for n, image in enumerate(images, start=1):
                shutil.copy(image, SHOTS / f"slips-page-{n}.png")
                read = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)],
                                      capture_output=True, text=True, timeout=60)  # fmt: skip
                here = read.stdout.split()
                assert len(here) == (4 if n < pages else len(people) - 4 * (pages - 1)), here
                found += here
                text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout",
                                       str(pdf), "-"], capture_output=True, text=True,
                                      check=True).stdout  # fmt: skip
                text_of[n] = text
            assert sorted(found) == sorted(f"{base}/login#{code}" for code in codes.values())
            everything = "\n".join(text_of.values())
            for name, code in codes.items():
                assert name in everything and code in everything
            assert everything.count("扫码登录") == len(people)
            assert "请勿交给他人" in everything and "ballot ceremony" in everything
            assert "主任" in everything and "监票人" in everything and "主任控制台" in everything
            # the QR code opens the member's login with the code filled in; it logs them in
            link = f"{base}/login#{codes['委员3']}"
            assert link in found
            member_page.goto(link)
            assert member_page.input_value("#code") == codes["委员3"]
            assert "#" not in member_page.url  # the code is cleared from the address bar
            member_page.click("button[type=submit].primary")
            member_page.wait_for_load_state("networkidle")
            assert "委员3" in member_page.inner_text("header")
            _hold(base, codes, tmp_path, url)
        finally:
            chromium.close()


def _workbook(path: Path, rows: list[tuple[Any, ...]]) -> Path:
    """An Excel file as an office makes one (numbers as numbers)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def _hold(base: str, codes: dict[str, str], folder: Path, url: str) -> None:
    """The meeting the clerk set up, held: each scrutineer's key ceremony on their own command
    line, six members checked in, the first round cast and closed, two scrutineers decrypt."""
    procs = []
    for i, name in enumerate(SCRUTINEERS[:3], start=1):
        (folder / f"pass-{i}.txt").write_text(f"correct horse battery {i}\n")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "ballot", "ceremony", base, "--code", codes[name],
             "--out", str(folder / f"share-{i}.json"), "--passphrase-file", str(folder / f"pass-{i}.txt")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))  # fmt: skip
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, out + err
    app = create_app({"DATABASE_URL": url, "KEYS": str(folder / "keys")})
    rt = app.extensions["ballot"]  # type: ignore[attr-defined]
    with rt.db() as s:
        meeting = s.scalars(select(m.Meeting)).one()
        assert meeting.status == "open"
        meeting_id = meeting.id
        ids = {x.name: x.id for x in s.scalars(select(m.Member))}
    voters = ["主任甲", "委员1", "委员2", "委员4", "委员5", "委员6"]  # (委员3 logged in on a page)
    for name in voters:
        check_in(rt.db, meeting_id, ids[name])
    with transaction(rt.db) as session:
        open_round(session, meeting_id)
    for n, name in enumerate(voters):
        choices = ["approve"] * 5 + ["abstain"] * 11 if n < 4 else ["oppose"] * 16
        cast_as(base, codes[name], choices, candidates=16)
    with transaction(rt.db) as session:
        assert not close_round(session, meeting_id, 1, rt.signer(session, meeting_id))["void"]
    for i in (1, 2):
        done = subprocess.run(
            [sys.executable, "-m", "ballot", "scrutinise", base, "--code", codes[SCRUTINEERS[i - 1]],
             "--share", str(folder / f"share-{i}.json"),
             "--passphrase-file", str(folder / f"pass-{i}.txt"), "--once"],
            capture_output=True, text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    with rt.db() as s:
        view = overview.meeting_view(s, meeting_id)
    counted = view.rounds[0]
    assert counted.status == "counted" and counted.counts is not None
    assert counted.counts["受评组织01"] == {"approve": 4, "oppose": 2, "abstain": 0}
    rt.engine.dispose()
