"""The final result, signed by the people who answer for it (docs/PROTOCOL.md §14): once the
procedure is complete — the `meeting-closed` event, and again after each review vote's
`motion-decision` — the chair (with their member key) and the scrutineers (each with their
share key) sign the result as it then stands, naming by its hash the event they answer. The
record holds each as a `result-signed` event; `ballot verify` fails a final result that the
chair and k scrutineers have not signed.

The signed statement is §14's `attest` by role `chair` or `scrutineer i`, event kind
`result-signed`, over the body less its signature. Pure: data in, data out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ballot.protocol import statements

KIND = "result-signed"
SIGNATURE = "signature"
RESULT_EVENTS = ("meeting-closed", "motion-decision")
CHAIR_FIELDS = ("role", "chair", "answers", "result")
SCRUTINEER_FIELDS = ("role", "scrutineer", "answers", "result")


def standing(events: Sequence[Mapping[str, Any]]) -> tuple[int, dict[str, list[str]]] | None:
    """The result as the record now has it: (the index of the event that gave it, the result
    per tier). That is `meeting-closed`'s result, less each winner a review vote after it did
    not uphold; None before the meeting is closed."""
    found: tuple[int, dict[str, list[str]]] | None = None
    for i, e in enumerate(events):
        body = e.get("body")
        if not isinstance(body, Mapping):
            continue
        if e.get("kind") == "meeting-closed" and found is None:
            result = body.get("result")
            if isinstance(result, Mapping):
                found = (i, {str(t): list(n) for t, n in result.items() if isinstance(n, list)})
        elif e.get("kind") == "motion-decision" and found is not None:
            _, result = found
            if body.get("passed") is False:
                name = body.get("candidate")
                result = {t: [n for n in names if n != name] for t, names in result.items()}
            found = (i, result)
    return found


def chair_body(name: str, answers: str, result: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """What the chair `name` signs: the result, answering the event whose hash is `answers`."""
    return {
        "role": "chair",
        "chair": name,
        "answers": answers,
        "result": {t: list(n) for t, n in result.items()},
    }


def scrutineer_body(
    index: int, answers: str, result: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """What scrutineer `index` signs (see `chair_body`)."""
    return {
        "role": "scrutineer",
        "scrutineer": index,
        "answers": answers,
        "result": {t: list(n) for t, n in result.items()},
    }


def role_of(body: Mapping[str, Any]) -> str:
    """The role text the statement names: `chair` or `scrutineer i`."""
    if body.get("role") == "chair":
        return "chair"
    index = body.get("scrutineer")
    if body.get("role") != "scrutineer" or type(index) is not int or index < 1:
        raise ValueError("a signed result names the chair or a scrutineer by number")
    return statements.scrutineer_role(index)


def statement(meeting_id: str, body: Mapping[str, Any]) -> bytes:
    """The bytes the signer signs: §14 `attest` by their role over the body less signature."""
    signed = {k: v for k, v in body.items() if k != SIGNATURE}
    return statements.attest(meeting_id, role_of(signed), KIND, signed)


__all__ = [
    "CHAIR_FIELDS",
    "KIND",
    "RESULT_EVENTS",
    "SCRUTINEER_FIELDS",
    "SIGNATURE",
    "chair_body",
    "role_of",
    "scrutineer_body",
    "standing",
    "statement",
]
