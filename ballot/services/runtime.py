"""What every request and command shares, and the server's key custody: the database, the
server's secret and its keys folder, and the committee signing key of each meeting (sealed at
rest in that folder under the server secret)."""

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
from ballot.crypto.randomness import SystemRandom
from ballot.services.errors import ServiceError
from ballot.storage import models as m
from ballot.storage.files import write_private

CLIENT_FILES = (
    "protocol.js",
    "keystore.js",
    "ceremony.js",
    "http.js",
    "booth.js",
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

    def new_committee_key(self, public_id: str) -> bytes:
        """A meeting's Ed25519 committee key, sealed under the server secret into keys/;
        returns its public half (to be published when the meeting opens)."""
        private = keystore.new_committee_key(self.rng)
        public = keystore.committee_public_key(private)
        sealed = keystore.seal_committee_key(private, self.server_secret, self.rng)
        write_private(self.committee_key_path(public_id, public), sealed)
        return public

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
            if not path.exists():
                raise ServiceError(
                    "no-signing-key",
                    en=f"the committee signing key of this meeting is missing ({path})",
                    zh=f"缺少本会议的评委会签名密钥（{path}）",
                )
            self._signing[meeting_id] = keystore.open_committee_key(
                path.read_text(encoding="utf-8"), self.server_secret
            )
        private = self._signing[meeting_id]
        return lambda message: keystore.sign(private, message)


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
