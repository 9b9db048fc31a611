"""`ballot demo --simulate` runs a whole meeting through the services and its record verifies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def test_the_demo_meeting_completes_with_a_tie_revote_and_verifies(tmp_path: Path) -> None:
    out = tmp_path / "record.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ballot",
            "demo",
            "--simulate",
            "--members",
            "7",
            "--present",
            "6",
            "--candidates",
            "5",
            "--seed",
            "7",
            "--out",
            str(out),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "程序完成 / The procedure is complete." in proc.stdout
    record = json.loads(out.read_text("utf-8"))
    kinds = [e["kind"] for e in record["events"]]
    opened = [e["body"] for e in record["events"] if e["kind"] == "round-opened"]
    assert [(r["tier"], r["kind"]) for r in opened] == [
        ("award", "ballot"),
        ("award", "revote"),
        ("nominee", "ballot"),
    ]
    assert kinds[-2:] == ["meeting-closed", "checkpoint"]
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0 and "ALL CHECKS PASSED" in proc.stdout, proc.stdout


def test_the_demo_refuses_impossible_settings() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "demo", "--simulate", "--present", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "--present" in proc.stderr
