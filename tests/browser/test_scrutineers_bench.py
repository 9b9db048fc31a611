"""The close benchmark with the scrutineers' pages in Chromium (bench/scrutineers.py) runs and
measures what it says: a small room here, so it takes well under a minute. What the figures
are is the benchmark's to report (README), never this test's."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.browser.test_e2e_browser import _playwright
from tests.support import ROOT


def test_the_close_bench_sees_every_page_validate_ahead_accept_and_count() -> None:
    _playwright()
    proc = subprocess.run(
        [sys.executable, "bench/scrutineers.py", "--members", "4", "--candidates", "3",
         "--round-s", "14", "--last-s", "4", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-2000:]
    r = json.loads(proc.stdout)
    assert r["page_errors"] == []
    # while the round was open every page had already validated the 4 ballots received
    assert all("4 张选票中 4 张已核验有效" in said for said in r["pages_at_close"]), r
    # each of the three pages accepted the round after the close, and the counts followed
    assert len(r["close_to_acceptances_s"]) == 3
    assert r["close_to_counts_s"] is not None
    assert r["close_to_counts_s"] >= max(r["close_to_acceptances_s"]) - 0.1
    assert r["close_to_projector_s"] > 0 and len(r["validate_one_ballot_ms"]) == 4
    assert r["targets_met"] is (proc.returncode == 0)
