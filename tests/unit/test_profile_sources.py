"""Every clause a profile quotes is really in its regulation (the seeds in ../shared/seeds).

Profiles cite a clause for each stated setting as `ref: quoted text`, several joined by "; ",
with " … " where the quotation skips words. Each quoted piece must appear in the original
Chinese text (whitespace ignored), so a profile cannot cite words the regulation lacks.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
PROFILES = sorted((ROOT / "ballot" / "tally" / "profiles").glob("*.toml"))

if not SEEDS.is_dir():
    if os.environ.get("CI"):
        raise RuntimeError(f"CI must have the regulations beside the project: {SEEDS} is missing")
    pytest.skip(f"the regulations are not at {SEEDS}", allow_module_level=True)


def clause_notes(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        if "clause" in data:
            yield path, data["clause"]
        for key, value in data.items():
            yield from clause_notes(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from clause_notes(value, f"{path}[{i}]")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_quoted_clauses_are_in_the_regulation(path: Path) -> None:
    data = tomllib.loads(path.read_text("utf-8"))
    (seed,) = SEEDS.glob(f"{data['seed']}_*.txt")
    text = squash(seed.read_text("utf-8"))
    checked = 0
    for where, note in clause_notes(data):
        for part in note.split("; "):
            ref, sep, quote = part.partition(": ")
            assert sep and ref, f"{path.name}{where}: cite as 'clause: quoted text'"
            for piece in quote.split(" … "):
                assert squash(piece) in text, f"{path.name}{where}: {piece!r} not in {seed.name}"
                checked += 1
    assert checked >= 3
