"""Small queries the services share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def count_rows(session: Session, model: Any, *where: Any) -> int:
    """How many rows of `model` match every condition."""
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
