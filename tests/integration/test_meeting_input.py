"""What the office types is checked before anything is stored, on SQLite and PostgreSQL: a
roster needs a chair, names and titles hold only visible characters and fit their columns, a
CSV that cannot be read is said so, and a slate fits on one ballot."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ballot.services import meetings, setup
from ballot.services.errors import ServiceError
from ballot.services.unit import transaction
from ballot.storage import models as m
from tests.integration.test_services_voting import ROSTER, SLATE


def _plan(db: sessionmaker[Session], **changes: object) -> None:
    args: dict[str, object] = {
        "committee_name": "评委会",
        "roster_text": ROSTER,
        "title": "2026 年度",
        "slate": SLATE,
        "k": 2,
        "scrutineer_names": ["甲", "乙", "丙"],
    } | changes
    with transaction(db) as session:
        setup.plan_meeting(session, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        ({"roster_text": "姓名,角色\n李委员,委员\n王委员,委员\n"}, "bad-roster", "names no chair"),
        ({"roster_text": "姓名\n" + "长" * 200_000 + "\n"}, "bad-roster", "not a readable CSV"),
        ({"roster_text": "姓名,角色\n张主任,主任\n李\x00委员,委员\n"}, "bad-roster", "U+0000"),
        ({"roster_text": "姓名,角色\n张主任,主任\n李\u200b委员,委员\n"}, "bad-roster", "U+200B"),
        ({"committee_name": "评委会\u202e"}, "bad-committee", "visible characters"),
        ({"title": "x" * 100_000}, "bad-title", "200 visible characters"),
        ({"title": "a\x00b"}, "bad-title", "visible characters"),
        ({"scrutineer_names": ["甲", "乙\u2066", "丙"]}, "bad-scrutineers", "scrutineers"),
        (
            {"slate": {**SLATE, "candidates": ["嘉禾电子", "嘉禾\u200d电子"]}},
            "invalid-rules",
            "U+200D",
        ),
        (
            {"slate": {**SLATE, "candidates": [f"组织{i}" for i in range(151)], "others": []}},
            "bad-slate",
            "at most 150",
        ),
    ],
)
def test_what_the_office_types_is_refused_with_the_reason_and_nothing_is_stored(
    db: sessionmaker[Session], changes: dict[str, object], code: str, words: str
) -> None:
    with pytest.raises(ServiceError) as err:
        _plan(db, **changes)
    assert err.value.code == code and words in err.value.text.en, err.value
    assert err.value.text.zh
    with db() as s:
        for table in (m.Committee, m.Member, m.Meeting, m.Account, m.Event):
            assert s.scalar(select(func.count()).select_from(table)) == 0, table.__tablename__


def test_a_roster_with_a_chair_and_ordinary_names_is_taken(db: sessionmaker[Session]) -> None:
    assert meetings.parse_roster("姓名,角色\n张主任,主任\nO'Brien-Li,委员\n")[0] == (
        "张主任",
        "chair",
    )
    _plan(db)
    with transaction(db) as session:
        assert meetings.member_ids(session, 1)
