"""The import contracts in pyproject.toml hold (docs/architecture.md), and they are real: the
same contracts fail on a copy of the package that breaks one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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
