"""`ballot bench` runs, validates what it times, and reports every figure the README quotes.
(Timings are not asserted: speed is measured by the benchmark, never by unit tests.)"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT


def test_bench_reports_all_figures() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ballot",
            "bench",
            "--candidates",
            "3",
            "--max-approvals",
            "2",
            "--repeats",
            "1",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    for key in (
        "encrypt_ms",
        "validate_ms",
        "powmod_ms",
        "encrypt_ms_per_selection",
        "validate_ms_per_selection",
        "encrypt_ops",
        "validate_ops",
    ):
        assert key in out
    assert out["selections"] == 9
    assert out["validate_ops"]["multi_exp"] == 1  # proofs and ciphertext order in one batch
    # every received element: 4 ciphertext parts and 6 commitments per candidate, 2(k+1) more
    assert out["validate_ops"]["jacobi"] == 3 * 4 + 3 * 6 + 2 * 3
    assert out["encrypt_ops"]["fixed_base_pow"] > 0


def test_bench_refuses_bad_arguments() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "bench", "--candidates", "2", "--max-approvals", "3"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 2 and b"--max-approvals" in proc.stderr
