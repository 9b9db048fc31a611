"""A database that cannot be opened is one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys


def _office(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ballot", "office", "--database-url", url],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_missing_database_driver_says_what_to_install() -> None:
    run = _office("mysql+mysqldb://nobody@127.0.0.1/none")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert (
        "database driver MySQLdb is not installed" in run.stderr
        and "未安装数据库驱动" in run.stderr
    )


def test_an_unreachable_database_says_what_to_check() -> None:
    run = _office("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "cannot open the database" in run.stderr and "DATABASE_URL" in run.stderr
    assert "无法打开数据库" in run.stderr
