"""Access-code slips as the office prints them (issue 13, item 3): Chromium prints the codes
page to A4, four slips a page with their cut lines; pdftoppm renders the pages and zbarimg
reads every QR code, which must open that person's login with their code filled in; the
printed text carries each name, role, code and the three lines of instructions."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.test_e2e_browser import CHROMIUM, FLAGS, _playwright
from tests.support import ROOT
from tests.support.web import running_server

ROSTER = "姓名,角色\n主任甲,主任\n" + "".join(f"委员{i},委员\n" for i in range(1, 9))
SLATE = (
    '{"profile": "jiaxing-2020", "candidates": ["甲公司", "乙公司", "丙公司"], "others": [],'
    ' "rules": {"tiers": [{"id": "award", "places": 1}, {"id": "nominee", "places": 1}]}}'
)
SCRUTINEERS = ["王监票", "李监票", "赵监票"]
SHOTS = Path(os.environ.get("BALLOT_E2E_ARTIFACTS", ROOT / "test-artifacts" / "e2e")) / "slips"


def test_printed_slips_carry_a_qr_code_that_opens_each_login(tmp_path: Path) -> None:
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
            page.fill("#roster", ROSTER)
            page.fill("#title", "二〇二六年评审会")
            page.fill("#slate", SLATE)
            page.fill("#scrutineers", "\n".join(SCRUTINEERS))
            page.fill("#k", "2")
            page.click("form button[type=submit].primary")
            page.wait_for_load_state("networkidle")
            assert page.locator(".slip").count() > 0, page.inner_text("main")[:2000]
            page.screenshot(path=str(SHOTS / "codes-screen.png"), full_page=True)
            html = page.content()
            codes = dict(re.findall(r"<strong>([^<]+)</strong>.*?class=\"code\">([A-Z0-9-]+)<",
                                    html, re.S))  # fmt: skip
            people = ["主任甲", *(f"委员{i}" for i in range(1, 9)), *SCRUTINEERS]
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
            assert "主任" in everything and "监票人" in everything
            # the QR code opens the member's login with the code filled in; it logs them in
            link = f"{base}/login#{codes['委员3']}"
            assert link in found
            member_page.goto(link)
            assert member_page.input_value("#code") == codes["委员3"]
            assert "#" not in member_page.url  # the code is cleared from the address bar
            member_page.click("button[type=submit].primary")
            member_page.wait_for_load_state("networkidle")
            assert "委员3" in member_page.inner_text("header")
        finally:
            chromium.close()
