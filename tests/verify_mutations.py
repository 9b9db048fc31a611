"""Mutation testing of the verifier (issue 12): switch each of `ballot verify`'s named checks off
in turn — its function's body replaced by `pass`, in a copy of the repository — and run the
tests that doctor records (tests/test_verify_checks.py, tests/test_adversary.py) against that
copy. A check whose switching-off no test notices is a check no test relies on: it is listed
as SURVIVED and the script exits 1.

    python tests/verify_mutations.py            (about a minute per check on this machine)
    python tests/verify_mutations.py --only ballots,aggregates

It prints one row per check (the function switched off, the first test that failed, seconds)
and ends with the line `killed N/N`. CI runs it (.ci/run)."""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["tests/test_verify_checks.py", "tests/test_adversary.py"]
COPIED = ["ballot", "tests", "pyproject.toml"]


def steps() -> list[tuple[str, str, str]]:
    """(check name, module, function) for every step `ballot verify` runs, in order."""
    sys.path.insert(0, str(ROOT))
    from ballot.verify import STEPS

    return [(name, fn.__module__, fn.__name__) for name, fn in STEPS]


def switch_off(copy: Path, module: str, function: str) -> None:
    """Replace the body of `module.function` in the copy by `pass` (its docstring too)."""
    path = copy / (module.replace(".", "/") + ".py")
    source = path.read_text("utf-8")
    tree = ast.parse(source)
    found = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function]
    if len(found) != 1:
        raise SystemExit(f"{module}.{function}: found {len(found)} definitions, not one")
    fn = found[0]
    lines = source.splitlines(keepends=True)
    first, last = fn.body[0].lineno - 1, fn.body[-1].end_lineno or fn.body[-1].lineno
    indent = re.match(r"\s*", lines[first]).group(0)  # type: ignore[union-attr]
    lines[first:last] = [f"{indent}pass  # switched off by tests/verify_mutations.py\n"]
    path.write_text("".join(lines), "utf-8")


def run_tests(copy: Path, timeout: int) -> tuple[bool, str]:
    """Run the doctoring tests in the copy; (all passed, the first failing test's id)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("COVERAGE_PROCESS_START", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-rfE", "-p", "no:cacheprovider",
         "--no-cov", "-o", "addopts=", *TESTS],
        cwd=copy, capture_output=True, text=True, timeout=timeout, env=env, check=False,
    )  # fmt: skip
    failed = re.search(r"^(?:FAILED|ERROR) (\S+)", proc.stdout, re.MULTILINE)
    if proc.returncode == 0:
        return True, ""
    if failed is None:  # not a test that failed: the run itself broke, which is no kill
        raise RuntimeError(
            f"pytest exit {proc.returncode}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        )
    return False, failed.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated check names")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per run")
    args = parser.parse_args()
    chosen = steps()
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {name for name, _, _ in chosen}
        if unknown:
            raise SystemExit(f"no such check: {', '.join(sorted(unknown))}")
        chosen = [s for s in chosen if s[0] in wanted]
    work = Path(tempfile.mkdtemp(prefix="ballot-mutants-"))
    try:
        pristine = work / "pristine"
        pristine.mkdir()
        for name in COPIED:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, pristine / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(src, pristine / name)
        loaded = subprocess.run(
            [sys.executable, "-c", "import ballot; print(ballot.__file__)"],
            cwd=pristine, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if not loaded.startswith(str(pristine)):
            raise SystemExit(f"the copy does not shadow the installed ballot ({loaded})")
        started = time.perf_counter()
        ok, first = run_tests(pristine, args.timeout)
        if not ok:
            raise SystemExit(f"the tests fail with no check switched off: {first}")
        print(f"baseline: {', '.join(TESTS)} pass ({time.perf_counter() - started:.0f} s)")
        print(f"{'check':18} {'switched off':44} {'verdict':9} {'first failing test':58} s")
        killed = 0
        for name, module, function in chosen:
            mutant = work / name
            shutil.copytree(pristine, mutant)
            switch_off(mutant, module, function)
            started = time.perf_counter()
            try:
                ok, first = run_tests(mutant, args.timeout)
            except subprocess.TimeoutExpired:
                ok, first = False, f"(timed out after {args.timeout} s)"
            seconds = time.perf_counter() - started
            killed += not ok
            verdict = "SURVIVED" if ok else "killed"
            where = f"{module.removeprefix('ballot.')}.{function}"
            print(f"{name:18} {where:44} {verdict:9} {first.split('::')[-1][:58]:58} {seconds:.0f}")
            sys.stdout.flush()
            shutil.rmtree(mutant, ignore_errors=True)
        print(f"killed {killed}/{len(chosen)}")
        return 0 if killed == len(chosen) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
