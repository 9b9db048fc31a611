"""Every third-party package the code imports is declared in pyproject.toml, and the lock file
pins every declared package to a version its range allows."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def _declared(group: str | None = None) -> dict[str, Requirement]:
    items = PROJECT["dependencies"] if group is None else PROJECT["optional-dependencies"][group]
    return {canonicalize_name(r.name): r for r in map(Requirement, items)}


def _imported_distributions() -> dict[str, set[str]]:
    """Distribution → the package's modules that import it (top-level imports only count)."""
    owners = metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for path in (ROOT / "ballot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top == "ballot" or top in sys.stdlib_module_names:
                    continue
                for dist in owners.get(top, [top]):
                    found.setdefault(canonicalize_name(dist), set()).add(
                        str(path.relative_to(ROOT))
                    )
    return found


def test_every_imported_package_is_declared() -> None:
    runtime = _declared()
    optional = _declared("postgresql")  # (imported by SQLAlchemy, not by us)
    test_only = _declared("test")
    imported = _imported_distributions()
    undeclared = {d: sorted(w) for d, w in imported.items() if d not in runtime}
    # the developer tools may use what the test extra installs (Playwright for the browser bench)
    allowed = {
        d: w
        for d, w in undeclared.items()
        if d in test_only and all(x.startswith("ballot/devtools/") for x in w)
    }
    assert {d: w for d, w in undeclared.items() if d not in allowed} == {}
    assert "werkzeug" in imported and "werkzeug" in runtime
    assert "psycopg" in optional and "psycopg" not in runtime


def test_the_lock_pins_every_declared_package_within_its_range() -> None:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text("utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", line)
        if found:
            pins[canonicalize_name(found[1])] = found[2]
    declared = _declared() | _declared("postgresql") | _declared("test")
    assert set(declared) <= set(pins), sorted(set(declared) - set(pins))
    for name, requirement in declared.items():
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
    for linter in ("ruff", "mypy", "import-linter"):
        assert str(declared[linter].specifier).startswith("=="), linter
