"""`ballot verify` before and after a change, in one run (issue 12: the strict grammar and the
new checks may not slow verification by more than 10 %).

One record of the benchmark meeting (30 members, 6 rounds, as bench/meeting.py) is made with
this checkout; then the verifier of `--before` (a git revision, checked out into a temporary
worktree) and this checkout's verifier each verify it `--repeats` times, alternately, each in a
fresh process, both cores. Prints the medians and their ratio; exit 1 when the ratio is above
`--limit`. This machine is noisy: only the ratio within one run means anything.

Usage: PYTHONPATH=. python bench/verify_compare.py --before 09a7ca7 [--repeats 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from ballot.devtools import demo

ROOT = Path(__file__).resolve().parents[1]

TIMED = """
import json, sys, time
from ballot import verify
record = json.loads(open(sys.argv[1], encoding="utf-8").read())
started = time.perf_counter()
checks = verify.Verifier(record).run()
seconds = time.perf_counter() - started
print(json.dumps({"s": seconds, "ok": all(c.passed or c.skipped for c in checks),
                  "where": verify.__file__}))
"""


def timed(tree: Path, record: Path) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", TIMED, str(record)],
        cwd=tree, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    out: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    if not str(out["where"]).startswith(str(tree)):
        raise SystemExit(f"{tree}: ran the verifier at {out['where']}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="the git revision to compare with")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=float, default=1.10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ballot-verify-compare-"))
    old = work / "before"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(old), args.before],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    try:
        record = work / "record.json"
        demo.simulate(
            members=30, present=30, candidates=16, seed=4, out=record,
            say=lambda _m: None, all_tiers=True,
        )  # fmt: skip
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.repeats):
            for name, tree in (("before", old), ("after", ROOT)):
                result = timed(tree, record)
                if not result["ok"]:
                    raise SystemExit(f"{name}: the record did not verify")
                times[name].append(float(result["s"]))  # type: ignore[arg-type]
        before, after = (statistics.median(times[k]) for k in ("before", "after"))
        ratio = after / before
        report = {
            "before": args.before,
            "before_s": [round(t, 2) for t in times["before"]],
            "after_s": [round(t, 2) for t in times["after"]],
            "median_before_s": round(before, 2),
            "median_after_s": round(after, 2),
            "ratio": round(ratio, 3),
            "limit": args.limit,
        }
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            print(
                f"verify 30 members x 6 rounds: before ({args.before}) {report['before_s']} s, "
                f"after {report['after_s']} s; medians {report['median_before_s']} s -> "
                f"{report['median_after_s']} s, ratio {report['ratio']} (limit {args.limit})"
            )
        return 0 if ratio <= args.limit else 1
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False,
            capture_output=True,
        )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
