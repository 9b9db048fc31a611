"""Reading the rule profiles shipped in `ballot/tally/profiles/` (one TOML file per regulation)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from ballot.language.text import Text
from ballot.tally.errors import TallyError
from ballot.tally.profile import Profile, parse_profile


def profile_ids() -> list[str]:
    folder = resources.files("ballot.tally.profiles")
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


@cache
def load_profile(profile_id: str) -> Profile:
    """The shipped profile with this id; an unknown id is refused with the known ones listed."""
    known = profile_ids()
    if profile_id not in known:
        raise TallyError(
            Text(
                en=f"unknown profile {profile_id!r}; the profiles are {', '.join(known)}",
                zh=f"未知规则文件 {profile_id!r}；可用的有 {', '.join(known)}",
            )
        )
    raw = resources.files("ballot.tally.profiles").joinpath(f"{profile_id}.toml").read_text("utf-8")
    profile = parse_profile(tomllib.loads(raw))
    if profile.id != profile_id:
        raise TallyError(
            Text(
                en=f"profile file {profile_id}.toml declares id {profile.id!r}",
                zh=f"规则文件 {profile_id}.toml 声明的 id 为 {profile.id!r}",
            )
        )
    return profile
