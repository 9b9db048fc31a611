"""Reading the JSON bodies the pages' modules and `ballot vote` / `ballot ceremony` send: one
object, with each field of the type the route needs, or a bilingual refusal saying which."""

from __future__ import annotations

import re
from typing import Any

from flask import request

from ballot.services.errors import ServiceError

MAX_ROUND = 10_000
_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits only: "²" or "٣" are not numbers here


def json_object() -> dict[str, Any]:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any request of ours
        body = None
    if not isinstance(body, dict):
        raise ServiceError(
            "malformed",
            en="send a JSON object (Content-Type: application/json)",
            zh="请发送 JSON 对象",
        )
    return body


def round_number(body: dict[str, Any]) -> int:
    number = body.get("round")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_ROUND:
        raise ServiceError(
            "malformed",
            en=f"round must be a whole number from 1 to {MAX_ROUND}",
            zh=f"轮次须为 1 至 {MAX_ROUND} 的整数",
        )
    return number


def form_number(name: str, *, en: str, zh: str) -> int:
    """A whole number from a form field, or the refusal saying what was wrong (`en`, `zh`)."""
    value = request.form.get(name, "").strip()
    if not _NUMBER.fullmatch(value):
        raise ServiceError("malformed", en=en, zh=zh)
    return int(value)


def text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise ServiceError("malformed", en=f"{key} must be a string", zh=f"{key} 须为字符串")
    return value


def listed(body: dict[str, Any], key: str) -> list[Any]:
    value = body.get(key)
    if not isinstance(value, list):
        raise ServiceError("malformed", en=f"{key} must be a list", zh=f"{key} 须为列表")
    return value
