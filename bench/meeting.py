"""Meeting benchmarks (issue 4), on this machine, with the real services and verifier:

1. closing a round of 30 ballots × 16 candidates to published counts, the three scrutineers'
   decryption shares (computed and checked) included — target under 2 s;
2. verifying a whole simulated meeting of 30 members and 6 rounds — target under 60 s, using
   both cores.

Usage: python bench/meeting.py [--json]   (about two minutes; the meeting itself is simulated
first and is not timed)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from ballot import verify
from ballot.devtools import demo


def main() -> int:
    timings: list[dict[str, object]] = []
    out = Path(tempfile.mkdtemp(prefix="ballot-bench-")) / "record.json"
    demo.simulate(
        members=30,
        present=30,
        candidates=16,
        seed=4,
        out=out,
        say=lambda _m: None,
        all_tiers=True,
        timings=timings,
    )
    record = json.loads(out.read_text("utf-8"))
    started = time.perf_counter()
    checks = verify.Verifier(record).run()
    verify_s = time.perf_counter() - started
    ok = all(c.passed for c in checks)
    sixteen = [t for t in timings if t["candidates"] == 16]
    result = {
        "close_to_counts_s_30x16": sixteen[0]["close_to_counts_s"] if sixteen else None,
        "close_to_counts_rounds": timings,
        "verify_s_30_members_6_rounds": round(verify_s, 2),
        "verify_passed": ok,
        "rounds": len(timings),
        "ballots": sum(int(t["ballots"]) for t in timings),  # type: ignore[call-overload]
        "record_mb": round(out.stat().st_size / 1e6, 1),
    }
    if "--json" in sys.argv:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"close a round of 30 ballots x 16 candidates to published counts "
            f"(3 scrutineers' shares included): {result['close_to_counts_s_30x16']} s"
        )
        print(
            f"verify a meeting of 30 members and {result['rounds']} rounds "
            f"({result['ballots']} ballots, {result['record_mb']} MB): "
            f"{result['verify_s_30_members_6_rounds']} s, all checks passed: {ok}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
