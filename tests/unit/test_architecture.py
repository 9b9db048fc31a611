"""The import contracts in pyproject.toml hold (docs/architecture.md), and they are real: the
same contracts fail on a copy of the package that breaks one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support import ROOT

LINT = Path(sys.executable).with_name("lint-imports")


def _lint(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_import_contracts_hold() -> None:
    run = _lint(ROOT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "Contracts: 5 kept, 0 broken." in run.stdout


def test_a_pure_module_that_imports_the_database_breaks_the_contracts(tmp_path: Path) -> None:
    shutil.copytree(
        ROOT / "ballot", tmp_path / "ballot", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    engine = tmp_path / "ballot" / "tally" / "engine.py"
    engine.write_text(engine.read_text("utf-8") + "\nimport sqlalchemy  # noqa\n", "utf-8")
    run = _lint(tmp_path)
    assert run.returncode == 1
    assert "The pure core does no I/O" in run.stdout and "BROKEN" in run.stdout
    assert "ballot.tally.engine -> sqlalchemy" in run.stdout
    assert "Contracts: 3 kept, 2 broken." in run.stdout


def _functions(module: Path) -> list[Any]:
    import ast

    return [
        n for n in ast.walk(ast.parse(module.read_text("utf-8"))) if isinstance(n, ast.FunctionDef)
    ]


def test_the_services_change_states_only_through_the_transition_tables() -> None:
    """docs/architecture.md: meetings and rounds move only through advance_meeting and
    advance_round, which refuse a step their table does not list."""
    import ast

    found = []
    for path in sorted((ROOT / "ballot" / "services").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets):
                    value = node.value
                    called = getattr(getattr(value, "func", None), "id", None)
                    if called not in ("advance_meeting", "advance_round"):
                        found.append(f"{path.name}:{node.lineno}")
    assert found == []
    assert (
        len([1 for p in (ROOT / "ballot" / "services").glob("*.py") if "advance_" in p.read_text()])
        >= 3
    )


def test_only_casting_and_logging_in_own_their_transactions() -> None:
    """docs/architecture.md: every other service works in the caller's session."""
    import ast

    owners = set()
    for path in sorted((ROOT / "ballot" / "services").glob("*.py")):
        if path.name == "unit.py":
            continue
        for fn in _functions(path):
            for node in ast.walk(fn):
                name = getattr(getattr(node, "func", None), "id", None) or getattr(
                    getattr(node, "func", None), "attr", None
                )
                if isinstance(node, ast.Call) and name in ("transaction", "reading", "begin"):
                    owners.add(f"{path.stem}.{fn.name}")
    assert owners == {"voting.cast_ballot", "accounts.authenticate"}
