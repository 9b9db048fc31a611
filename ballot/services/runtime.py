"""What every request and command shares, and the server's key custody: the database, the
server's secret and its keys folder, and the committee signing key of each meeting (sealed at
rest under the server secret, in the meeting's row; meetings opened before migration 0007
keep it in the keys folder). With BALLOT_SERVER_SECRET given, the keys folder holds nothing a
second server needs: servers on one database share only that secret."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ballot.crypto import keystore
from ballot.crypto.errors import CryptoError
from ballot.crypto.randomness import SystemRandom
from ballot.services.errors import ServiceError
from ballot.storage import models as m
from ballot.storage.files import write_private

CLIENT_FILES = (
    "protocol.js",
    "keystore.js",
    "ceremony.js",
    "http.js",
    "memberkey.js",
    "presence.js",
    "booth.js",
    "chair.js",
    "scrutiny.js",
    "scrutineer.js",
)


@dataclass
class Runtime:
    engine: Engine
    db: sessionmaker[Session]
    keys: Path
    server_secret: str = field(repr=False)
    rng: SystemRandom = field(default_factory=SystemRandom)
    _signing: dict[int, bytes] = field(default_factory=dict, repr=False)

    def committee_key_path(self, public_id: str, public_key: bytes) -> Path:
        """Named by the meeting and the key's public half, so a key made by a request that
        then lost a race to open the meeting can never replace the one the record names."""
        meeting = hashlib.sha256(public_id.encode()).hexdigest()[:16]
        return self.keys / f"committee-{meeting}-{public_key.hex()[:16]}.json"

    def new_committee_key(self) -> tuple[bytes, str]:
        """A meeting's Ed25519 committee key: its public half (published when the meeting
        opens) and its private half sealed under the server secret (kept with the meeting)."""
        private = keystore.new_committee_key(self.rng)
        public = keystore.committee_public_key(private)
        return public, keystore.seal_committee_key(private, self.server_secret, self.rng)

    def signer(self, session: Session, meeting_id: int) -> Callable[[bytes], bytes]:
        """Signs the meeting's checkpoints with the committee key its record published."""
        if meeting_id not in self._signing:
            meeting = session.get(m.Meeting, meeting_id)
            public_id = meeting.public_id if meeting else ""
            opened = session.scalars(
                select(m.Event.body).where(
                    m.Event.meeting_id == meeting_id, m.Event.kind == "meeting-opened"
                )
            ).first()
            public = bytes.fromhex(json.loads(opened)["committee_key"]) if opened else b""
            path = self.committee_key_path(public_id, public)
            if meeting is not None and meeting.committee_key_sealed:
                sealed = meeting.committee_key_sealed
            elif path.exists():  # a meeting opened before migration 0007
                sealed = path.read_text(encoding="utf-8")
            else:
                raise ServiceError(
                    "no-signing-key",
                    en="the committee signing key of this meeting is missing: it was opened "
                    f"by a server that kept it in its keys folder ({path})",
                    zh=f"缺少本会议的评委会签名密钥：开会的服务器将其保存在其密钥目录中（{path}）",
                )
            try:
                private = keystore.open_committee_key(sealed, self.server_secret)
            except CryptoError:
                raise wrong_secret() from None
            if keystore.committee_public_key(private) != public:
                raise ServiceError(
                    "no-signing-key",
                    en="the sealed committee key is not the one this meeting's record published",
                    zh="所保存的评委会密钥与本会议记录公布的公钥不符",
                )
            self._signing[meeting_id] = private
        private = self._signing[meeting_id]
        return lambda message: keystore.sign(private, message)


def wrong_secret() -> ServiceError:
    """A key sealed under another server secret: servers on one database were given
    different secrets (or a server made its own in keys/)."""
    return ServiceError(
        "wrong-server-secret",
        en="this server's secret does not open this meeting's keys: every server on one "
        "database must be given the same BALLOT_SERVER_SECRET",
        zh="本服务器的密钥无法打开本会议的密钥：同一数据库上的所有服务器须设置相同的 BALLOT_SERVER_SECRET",
    )


def server_secret(keys: Path) -> str:
    """BALLOT_SERVER_SECRET, else keys/server-secret (made on first start, mode 0600). It seals
    the issuer and committee keys at rest and signs the session cookies."""
    given = os.environ.get("BALLOT_SERVER_SECRET")
    if given:
        return given
    path = keys / "server-secret"
    if not path.exists():
        # made whole under another name, then linked into place: of workers starting at the
        # same moment one wins, and every one reads the winner's secret, never a half-written
        # or truncated file
        draft = keys / f".server-secret-{os.getpid()}-{secrets.token_hex(4)}"
        write_private(draft, secrets.token_urlsafe(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip()


def client_hashes() -> dict[str, str]:
    """SHA-256 of each browser file that handles keys or votes, as published in the record."""
    folder = resources.files("ballot").joinpath("web", "static", "js")  # without importing Flask
    return {
        name: hashlib.sha256(folder.joinpath(name).read_bytes()).hexdigest()
        for name in CLIENT_FILES
    }
