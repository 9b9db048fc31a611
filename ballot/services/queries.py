"""Small queries and writes the services share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def count_rows(session: Session, model: Any, *where: Any) -> int:
    """How many rows of `model` match every condition."""
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def add_once(session: Session, rows: Iterable[Any], refusal: Exception) -> None:
    """Insert rows that a unique constraint allows only once; when the database says they
    exist already (even inserted a moment ago by a concurrent request), raise `refusal`. The
    caller's transaction then rolls back: nothing is half stored."""
    session.add_all(rows)
    try:
        session.flush()
    except IntegrityError:
        raise refusal from None


def insert_once(session: Session, model: Any, row: dict[str, Any], refusal: Exception) -> None:
    """`add_once` for one row given as its columns' values: a single INSERT, no object kept."""
    try:
        session.execute(insert(model), row)
    except IntegrityError:
        raise refusal from None
