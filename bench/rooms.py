"""Rooms benchmark: ten meeting rooms of thirty members casting on PostgreSQL through
`ballot serve` (gunicorn, its default two workers) on this machine.

What a room's members would wait for is the cast: the server checks every proof and the
signature of the ballot before it stores it. Every member first logs in, gets a credential
issued and registered and has its ballot encrypted (untimed: that is each member's own
device). Then:

1. saturation: half the members cast at once, as fast as the server answers — the sustained
   casts per second (target ≥ 40), and the server's CPU per cast (its processes' user + system
   time over the phase) against the bare validation of one ballot in this process (the same
   proof and signature checks, the same key), timed just before and just after this phase:
   target within 1.5×;
   It also reports `validation_bound_casts_per_s`, the machine's cores over the bare
   validation: the most casts a second the proof checks alone would allow;
2. half load: the other half cast at half that rate, open loop — the 95th percentile of the
   time a member waits for the answer (target under 1 s).

It checks that every ballot cast was stored (`ballots_stored`).

Usage: PYTHONPATH=. python bench/rooms.py [--rooms 10] [--members 30] [--candidates 16]
       [--workers N] [--json]
Needs PostgreSQL (BALLOT_BENCH_POSTGRES, default the local socket); makes and drops its own
database. Exit status 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text

from ballot.clients.voter import HttpVoter, Prepared
from ballot.crypto.ballot import cast_message, tracker, validate_ballot
from ballot.crypto.codec import ballot_from_json
from ballot.crypto.randomness import SystemRandom
from ballot.crypto.signature import verify as verify_signature
from ballot.devtools.demo import NAMES, SURNAMES, chair_opens, check_in, prepare_meeting
from ballot.protocol.context import ballot_context
from ballot.protocol.device import MemberDevice
from ballot.services.unit import transaction
from ballot.storage import models as m
from ballot.web import create_app

ADMIN = os.environ.get(
    "BALLOT_BENCH_POSTGRES", "postgresql+psycopg:///{db}?host=/var/run/postgresql"
)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (from /proc, in seconds)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def postgres_pids() -> list[int]:
    """Every PostgreSQL server process on this machine (their CPU is part of each cast)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip() in ("postgres", "postmaster"):
                pids.append(int(stat.parent.name))
        except OSError:
            continue
    return pids


def own_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def server_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *(int(c) for c in children)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--candidates", type=int, default=16, help="on the ballot (default 16)")
    parser.add_argument(
        "--workers", type=int, help="`ballot serve --workers` (default: its own, cores + 1)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    name = f"ballot_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN.format(db="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN.format(db=name)
    folder = Path(tempfile.mkdtemp(prefix="ballot-rooms-"))
    secret = secrets.token_urlsafe(32)
    os.environ["BALLOT_SERVER_SECRET"] = secret
    port = 18000 + secrets.randbelow(2000)
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "ballot", "serve", "--port", str(port), "--database-url", url,
         *(["--workers", str(args.workers)] if args.workers else []),
         "--keys", str(folder / "keys")],
        cwd=folder, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://localhost:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/login", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        result = run(base, url, folder, args.rooms, args.members, args.candidates, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:34} {value}")
    return 0 if result["targets_met"] else 1


def run(
    base: str, url: str, folder: Path, rooms: int, members: int, candidates: int, master: int
) -> dict[str, Any]:
    app = create_app({"DATABASE_URL": url, "KEYS": str(folder / "office-keys")})
    rt = app.extensions["ballot"]
    codes: list[str] = []
    devices: dict[str, MemberDevice] = {}
    rng = SystemRandom()
    for r in range(rooms):
        roster = [(f"{SURNAMES[i % len(SURNAMES)]}委员{r}-{i}", "chair" if i == 0 else "member")
                  for i in range(members)]  # fmt: skip
        slate = {
            "profile": "jiaxing-2020",
            "candidates": NAMES[:candidates],
            "others": [],
            "rules": {"tiers": [{"id": "award", "places": 5}, {"id": "nominee", "places": 3}]},
        }
        meeting, invitations = prepare_meeting(
            rt, f"第 {r + 1} 会议室评委会", roster, f"第 {r + 1} 会议室", slate, 2, 3,
            folder / f"shares-{r}",
        )  # fmt: skip
        with rt.db() as s:
            ids = {x.name: x.id for x in s.scalars(
                select(m.Member).join(m.Meeting, m.Meeting.committee_id == m.Member.committee_id)
                .where(m.Meeting.id == meeting))}  # fmt: skip
        for name, _role in roster:  # each member's own device confirms the check-in
            devices[name] = check_in(rt.db, meeting, ids[name], rng)
        with transaction(rt.db) as session:
            chair_opens(session, meeting, rng, device=devices[roster[0][0]])
        codes += [x.code for x in invitations if x.role in ("chair", "member")]
    rt.engine.dispose()

    def ready(code: str) -> tuple[HttpVoter, Prepared]:
        voter = HttpVoter(base)
        voter.login(code)
        rnd, who = voter.current_round()
        assert rnd is not None
        k = int(rnd["k"])
        choices = ["approve"] * k + ["abstain"] * (len(rnd["candidates"]) - k)
        prepared = voter.prepare(rnd, choices)
        voter.issue(prepared, devices[who["name"]])
        voter.register(prepared)
        return voter, prepared

    with ThreadPoolExecutor(8) as pool:
        turns = list(pool.map(ready, codes))

    # the bare validation of one ballot, as the server does it, in this process: measured
    # just before and just after the saturated phase (the machine's speed drifts), median
    from ballot.services.voting import _election_key  # the same cached key table

    def bare(sample: list[tuple[HttpVoter, Prepared]]) -> list[float]:
        took = []
        with rt.db() as s:
            contexts = {}
            for _voter, p in sample:
                rnd = p.round
                row = s.scalar(select(m.Meeting).where(m.Meeting.public_id == rnd["meeting"]))
                assert row is not None
                key = _election_key(row.joint_key or "0")
                ctx = contexts.setdefault(rnd["meeting"], ballot_context(
                    rnd["meeting"], rnd["number"], rnd["record"], rnd["candidates"], rnd["k"]))  # fmt: skip
                started = time.perf_counter()
                parsed = ballot_from_json(p.ballot)
                validate_ballot(key, ctx, parsed, SystemRandom())
                track = tracker(key, ctx, parsed)
                verify_signature(bytes.fromhex(p.public_key_hex), cast_message(track),
                                 bytes.fromhex(p.signature_hex))  # fmt: skip
                took.append(time.perf_counter() - started)
        return took

    samples = bare(turns[:12])[2:]

    half = len(turns) // 2
    burst, paced = turns[:half], turns[half:]
    latencies: list[float] = []
    lock = threading.Lock()

    def cast(turn: tuple[HttpVoter, Prepared]) -> None:
        voter, p = turn
        started = time.perf_counter()
        voter.cast(p)
        with lock:
            latencies.append(time.perf_counter() - started)

    pids, database = server_pids(master), postgres_pids()
    cpu_before, started = cpu_seconds(pids), time.perf_counter()
    db_before, client_before = cpu_seconds(database), own_cpu_seconds()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(cast, burst))
    wall = time.perf_counter() - started
    cpu = cpu_seconds(pids) - cpu_before
    db_cpu = cpu_seconds(database) - db_before
    client_cpu = own_cpu_seconds() - client_before
    rate = len(burst) / wall
    samples += bare(turns[:10])
    validation = statistics.median(samples)

    latencies.clear()
    interval = 2 / rate  # half the saturated rate, open loop
    threads = []
    begin = time.perf_counter()
    for i, turn in enumerate(paced):
        delay = begin + i * interval - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        t = threading.Thread(target=cast, args=(turn,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    latencies.sort()
    check = create_engine(url)
    with check.connect() as c:  # every ballot the members cast is stored, once
        stored = c.execute(select(func.count()).select_from(m.Ballot)).scalar_one()
    check.dispose()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    cpu_per_cast = cpu / len(burst)
    result = {
        "rooms": rooms,
        "members_per_room": members,
        "candidates": candidates,
        "ballots_stored": stored,
        "casts_per_s_saturated": round(rate, 1),
        "server_cpu_ms_per_cast": round(1000 * cpu_per_cast, 1),
        "bare_validation_ms": round(1000 * validation, 1),
        "cpu_over_validation": round(cpu_per_cast / validation, 2),
        # the most casts a second this machine's cores could carry if checking the proofs
        # were all a cast cost (no server, database or load generator): the arithmetic floor
        "validation_bound_casts_per_s": round((os.cpu_count() or 1) / validation, 1),
        "postgres_cpu_ms_per_cast": round(1000 * db_cpu / len(burst), 1),
        "load_generator_cpu_ms_per_cast": round(1000 * client_cpu / len(burst), 1),
        "half_load_casts_per_s": round(rate / 2, 1),
        "half_load_p50_ms": round(1000 * statistics.median(latencies)),
        "half_load_p95_ms": round(1000 * p95),
    }
    result["targets_met"] = (
        stored == len(turns)
        and result["casts_per_s_saturated"] >= 40
        and result["half_load_p95_ms"] < 1000
        and result["cpu_over_validation"] <= 1.5
    )
    return result


if __name__ == "__main__":
    sys.exit(main())
