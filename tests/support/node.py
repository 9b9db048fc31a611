"""Node, for the tests of the browser's modules."""

from __future__ import annotations


def node_executable(module: str) -> str:
    """The `node` executable (version 20 or later) for the tests of a browser module; skipped
    with the reason where it is missing, but a failure in CI, which must run them."""
    import os
    import re
    import shutil
    import subprocess

    import pytest

    path = shutil.which("node")
    problem = "node is not installed"
    if path is not None:
        version = subprocess.run(
            [path, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        major = re.match(r"v(\d+)\.", version)
        if major and int(major[1]) >= 20:
            return path
        problem = f"node {version} is older than 20"
    message = f"{problem}: the browser module {module} is untested"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must run these tests, so install Node 20 or later")
    pytest.skip(message)
