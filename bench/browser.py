"""Browser benchmark: encrypting, proving and signing a 16-candidate ballot (k = 5) in headless
Chromium — the cold ballot on a fresh page, tables built, must take under 1.5 s here.

The implementation is ballot/devtools/browser_bench.py (also `ballot bench --browser`); this script
prints its JSON. Every ballot the browser made is validated in Python before any figure is
reported. Needs Playwright for Python and Chromium at /usr/bin/chromium.

Usage: python bench/browser.py [--candidates 16] [--max-approvals 5] [--repeats 5] [--text]
Exit status: 0 within the limit, 1 over it or failed, 2 without Playwright or Chromium.
Importable: `from browser import run_browser_bench` (with bench/ on sys.path).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout: find the package beside it
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ballot.devtools.browser_bench import (
    BenchFailed,
    BrowserUnavailable,
    report_text,
    run_browser_bench,
)

__all__ = ["BenchFailed", "BrowserUnavailable", "main", "run_browser_bench"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=16)
    parser.add_argument("--max-approvals", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5, help="warm ballots (default 5)")
    parser.add_argument("--text", action="store_true", help="print for people instead of JSON")
    args = parser.parse_args(argv)
    try:
        result = run_browser_bench(args.candidates, args.max_approvals, args.repeats)
    except ValueError as e:
        parser.error(str(e))
    except BrowserUnavailable as e:
        print(f"browser.py: {e}", file=sys.stderr)
        return 2
    except BenchFailed as e:
        print(f"browser.py: the browser benchmark failed: {e}", file=sys.stderr)
        return 1
    if args.text:
        sys.stdout.write(report_text(result))
    else:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
