"""`ballot serve`: the web app under gunicorn on one machine (SQLite by default; set
DATABASE_URL for PostgreSQL). With --demo it first prepares a demo committee in a fresh
folder and prints everyone's login link, so it runs from any working folder."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from ballot.cli.worker import ROOM_THREADS
from ballot.devtools.demo import demo_meeting
from ballot.language.vocabulary import ROLES
from ballot.services.runtime import Runtime
from ballot.services.setup import Invitation
from ballot.storage.files import write_private
from ballot.web import create_app

ROLE_NAMES = {role: f"{text.zh} {text.en}" for role, text in ROLES.items()}


def invitation_lines(base: str, invitations: list[Invitation]) -> list[str]:
    lines = []
    for inv in invitations:
        line = f"{ROLE_NAMES[inv.role]:18} {inv.name:12} {base}/login#{inv.code}"
        if inv.share_file is not None:
            line += (
                f"\n{'':31}share file 份额文件 {inv.share_file}  passphrase 口令 {inv.passphrase}"
            )
        lines.append(line)
    return lines


def prepare(
    demo: bool,
    database_url: str | None,
    keys: str | None,
    say: Callable[[str], None],
    profile: str = "jiaxing-2020",
) -> tuple[Flask, list[Invitation], Path | None]:
    folder = None
    if demo:
        folder = Path(tempfile.mkdtemp(prefix="ballot-serve-demo-"))
        database_url = database_url or f"sqlite:///{folder / 'demo.sqlite3'}"
        keys = keys or str(folder / "keys")
        say(f"demo data in {folder} | 演示数据目录 {folder}")
    app = create_app({"DATABASE_URL": database_url, "KEYS": keys})
    invitations: list[Invitation] = []
    if demo and folder is not None:
        say("preparing the demo meeting: key ceremony, issuer key … | 正在准备演示会议 …")
        rt: Runtime = app.extensions["ballot"]
        _, invitations, settings = demo_meeting(rt, folder / "shares", profile)
        say(f"profile 办法: {profile}")
        for line in settings:
            say(
                f"committee setting (the regulation is silent): {line.en} | 评委会设定（办法未规定）：{line.zh}"
            )
    return app, invitations, folder


def run(
    host: str,
    port: int,
    demo: bool,
    database_url: str | None,
    keys: str | None,
    workers: int,
    certfile: str | None,
    keyfile: str | None,
    profile: str = "jiaxing-2020",
) -> int:
    from gunicorn.app.base import BaseApplication

    def say(line: str) -> None:
        print(line, flush=True)

    app, invitations, folder = prepare(demo, database_url, keys, say, profile)
    scheme = "https" if certfile else "http"
    shown = "localhost" if host in ("127.0.0.1", "localhost", "0.0.0.0") else host
    base = f"{scheme}://{shown}:{port}"
    if invitations and folder is not None:
        lines = invitation_lines(base, invitations)
        write_private(folder / "invitations.txt", "\n".join(lines) + "\n")
        say("")
        say("login links (each person opens their own) | 登录链接（每人打开自己的链接）:")
        for line in lines:
            say("  " + line)
        say(f"(also in {folder / 'invitations.txt'})")
    say("")
    say(f"ballot is serving on {base}/ (Ctrl-C stops) | 服务地址 {base}/")
    if scheme == "http" and shown != "localhost":
        say(
            "warning: browsers allow the ballot's cryptography and secure cookies only over "
            "HTTPS or on localhost: give --certfile and --keyfile | 警告：非本机访问须使用 HTTPS"
        )
    rt: Runtime = app.extensions["ballot"]

    def post_fork(server: Any, worker: Any) -> None:
        rt.engine.dispose(close=False)  # each worker opens its own connections

    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "ballot.cli.worker.RoomWorker",
        "threads": ROOM_THREADS,
        "timeout": 120,
        "post_fork": post_fork,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        # with TLS, kept-alive connections would lose the worker's time limits between
        # requests (ballot/cli/worker.py): each request gets its own connection
        **({"certfile": certfile, "keyfile": keyfile, "keepalive": 0} if certfile else {}),
    }

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    sys.argv = [sys.argv[0]]  # gunicorn reads its own command line otherwise
    os.environ.pop("GUNICORN_CMD_ARGS", None)
    Server().run()
    return 0
