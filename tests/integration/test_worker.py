"""`ballot serve`'s gunicorn worker (ballot/cli/worker.py) under a plain WSGI app: a kept-alive
connection serves request after request, a slow reader of a large answer gets all of it, and a
client that stalls in the middle of its TLS handshake is dropped after IO_TIMEOUT instead of
holding its thread for good."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ballot.cli.worker import IO_TIMEOUT
from tests.support import ROOT
from tests.support.web import free_port

BIG = 10 * 1024 * 1024
APP = f"""
def app(environ, start_response):
    body = b"x" * {BIG} if environ["PATH_INFO"] == "/big" else b"ok"
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return [body]
"""


@contextmanager
def gunicorn(folder: Path, *extra: str) -> Iterator[int]:
    (folder / "tinyapp.py").write_text(APP)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{folder}"}
    log = (folder / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "ballot.cli.worker.RoomWorker", "--workers",
         "1", "--threads", "1", "-b", f"127.0.0.1:{port}", *extra, "tinyapp:app"],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_kept_alive_connection_serves_request_after_request(tmp_path: Path) -> None:
    with gunicorn(tmp_path, "--keep-alive", "5") as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(1500):  # a projector polling all day on one connection
            conn.request("GET", "/")
            answer = conn.getresponse()
            assert answer.status == 200 and answer.read() == b"ok"
        conn.close()
    assert "RecursionError" not in (tmp_path / "gunicorn.log").read_text()


def test_a_slow_reader_of_a_large_answer_gets_all_of_it(tmp_path: Path) -> None:
    with gunicorn(tmp_path) as port, socket.create_connection(("127.0.0.1", port)) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        s.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        received, started = 0, time.monotonic()
        while chunk := s.recv(64 * 1024):  # about 0.8 MB/s: longer than IO_TIMEOUT in all
            received += len(chunk)
            time.sleep(0.08 * len(chunk) / (64 * 1024))
        assert time.monotonic() - started > IO_TIMEOUT
    assert received > BIG  # the headers and every byte of the body


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_a_client_stalled_mid_tls_handshake_is_dropped(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path)
    tls = ("--certfile", str(cert), "--keyfile", str(key), "--keep-alive", "0")
    with gunicorn(tmp_path, *tls) as port, socket.create_connection(("127.0.0.1", port)) as stall:
        stall.sendall(b"\x16")  # the first byte of a ClientHello, then nothing
        time.sleep(0.5)  # it has the worker's only thread
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        started = time.monotonic()
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/", context=context, timeout=60) as r:
            assert r.read() == b"ok"
        assert time.monotonic() - started < IO_TIMEOUT + 5  # not for as long as it stalls
