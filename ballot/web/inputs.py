"""Reading the JSON bodies the pages' modules and `ballot vote` / `ballot ceremony` send: one
object, with each field of the type the route needs, or a bilingual refusal saying which."""

from __future__ import annotations

from typing import Any

from flask import request

from ballot.services.errors import ServiceError


def json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ServiceError(
            "malformed",
            en="send a JSON object (Content-Type: application/json)",
            zh="请发送 JSON 对象",
        )
    return body


def round_number(body: dict[str, Any]) -> int:
    number = body.get("round")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise ServiceError("malformed", en="round must be a positive integer", zh="轮次须为正整数")
    return number


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
