"""The browser benchmark (`ballot bench --browser`, bench/browser.py) runs in headless Chromium,
reports every figure, and validates what it timed: a ballot that does not check out in Python
stops it. (Timings are not asserted: speed is measured by the benchmark, never by unit tests.)
Skipped without Playwright or /usr/bin/chromium, except under CI, where that is a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ballot.cli import main as cli
from ballot.devtools import browser_bench
from tests.support import ROOT


@pytest.fixture(scope="module")
def browser() -> None:
    try:
        browser_bench.check_available()
    except browser_bench.BrowserUnavailable as e:
        if os.environ.get("CI"):
            pytest.fail(f"{e} (CI must run the browser benchmark's test)")
        pytest.skip(str(e))


def test_the_browser_bench_reports_and_validates(browser: None) -> None:
    r = browser_bench.run_browser_bench(repeats=1)
    assert (r["candidates"], r["max_approvals"], r["repeats"]) == (16, 5, 1)
    assert r["limit_ms"] == 1500
    assert r["ok"] is (r["cold_ms"] <= 1500)
    assert isinstance(r["cold_ms"], float) and r["cold_ms"] > 0
    assert isinstance(r["warm_median_ms"], float) and r["warm_median_ms"] > 0
    assert len(r["warm_all_ms"]) == 1 and r["warm_all_ms"][0] == r["warm_median_ms"]
    phases = {
        "member_key",
        "credential",
        "request",
        "finish",
        "encrypt",
        "sign",
        "issuer_round_trip",
    }
    assert set(r["cold_phases_ms"]) == phases == set(r["warm_phases_median_ms"])
    assert r["chromium"].split(".")[0].isdigit()
    assert "HeadlessChrome" in r["user_agent"]
    # both ballots (cold and warm) were validated, their trackers, cast signatures and
    # credentials verified, and decrypted to the choices made
    assert r["validated"] == 2
    assert r["ballot_bytes"] > 16 * 1000


def test_a_ballot_that_does_not_validate_stops_the_bench(
    browser: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = browser_bench._check_ballot

    def tampered(made: dict[str, Any], *args: Any) -> None:
        proof = made["ballot"]["selections"][0]["proof"]
        proof["responses"][0] = format(int(proof["responses"][0], 16) ^ 1, "x")
        check(made, *args)

    monkeypatch.setattr(browser_bench, "_check_ballot", tampered)
    with pytest.raises(browser_bench.BenchFailed, match="does not check out here"):
        browser_bench.run_browser_bench(candidates=3, max_approvals=2, repeats=1)


def test_the_cli_says_what_to_install_without_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "chromium"
    monkeypatch.setattr(browser_bench, "CHROMIUM", str(missing))
    assert cli.main(["bench", "--browser", "--repeats", "1"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert f"Chromium at {missing}" in line and "apt-get install chromium" in line
    assert " | " in line and "浏览器基准测试需要" in line and "Playwright" not in line


def test_the_cli_says_what_to_install_without_playwright(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    assert cli.main(["bench", "--browser", "--repeats", "1"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert "Playwright for Python (pip install" in line and " | " in line
    assert "Python 版 Playwright" in line


def test_the_cli_refuses_naive_with_browser() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "bench", "--browser", "--naive"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "--naive" in proc.stderr


def test_a_throttled_run_says_so_and_the_cli_keeps_throttle_to_the_browser(
    browser: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # (what a throttled cold ballot costs is the benchmark's to say, never a test's)
    r = browser_bench.run_browser_bench(candidates=3, max_approvals=2, repeats=1, throttle=2)
    assert r["throttle"] == 2 and r["validated"] == 2
    assert "CPU throttled 2×" in browser_bench.report_text(r)
    assert cli.main(["bench", "--throttle", "4"]) == 2
    assert "--throttle slows the browser" in capsys.readouterr().err
    assert cli.main(["bench", "--browser", "--throttle", "50"]) == 2
    assert "between 1 and 20" in capsys.readouterr().err
