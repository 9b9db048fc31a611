"""The printed result an office signs, stamps and files (issue 13, item 2): the server's PDF of a
three-round meeting, rendered to PNG pages with pdftoppm, read back with pdftotext, its QR code
decoded with zbarimg. A summary page, then one page per round, every section present."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from ballot.devtools.demo import simulate
from ballot.services import overview
from ballot.web import create_app, printed
from tests.support import ROOT

ARTIFACTS = (
    Path(os.environ.get("BALLOT_E2E_ARTIFACTS", ROOT / "test-artifacts" / "e2e")) / "printed"
)
HOST = "https://ballot.example.org"
TOOLS = ("pdftoppm", "pdftotext", "zbarimg")


def _tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"the printed-result test needs {', '.join(missing)} (poppler-utils zbar-tools)"
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must run it (.ci/run installs them)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def meeting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str, Any]]:
    folder = tmp_path_factory.mktemp("printed")
    url = f"sqlite:///{folder / 'printed.sqlite3'}"
    done = simulate(database_url=url, say=lambda _line: None)  # 3 rounds: award, re-vote, nominee
    assert done["complete"]
    app = create_app({"DATABASE_URL": url, "KEYS": str(folder / "keys")})
    public_id = done["record"]["meeting"]
    with app.extensions["ballot"].db() as s:  # type: ignore[attr-defined]
        view = overview.meeting_view(s, overview.meeting_by_public_id(s, public_id))
    assert len(view.rounds) == 3
    yield app, public_id, view
    app.extensions["ballot"].engine.dispose()  # type: ignore[attr-defined]


def _pages(pdf: bytes, folder: Path, name: str) -> tuple[list[Path], list[str]]:
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(folder / name)],
                   check=True, timeout=120)  # fmt: skip
    images = sorted(folder.glob(f"{name}-*.png"))
    texts = []
    for n in range(1, len(images) + 1):
        text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        texts.append(text.stdout)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for image in images:
        shutil.copy(image, ARTIFACTS / image.name)
    return images, texts


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_the_meeting_pdf_has_every_section_one_page_per_round_and_a_qr_to_the_record(
    meeting: tuple[Flask, str, Any], tmp_path: Path
) -> None:
    _tools()
    app, public_id, view = meeting
    client = app.test_client()
    r = client.get(f"/m/{public_id}/result.pdf", base_url=HOST)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    images, texts = _pages(r.data, tmp_path, "meeting")
    assert len(images) == 1 + len(view.rounds), "a summary page, then one page per round"
    summary = _squash(texts[0])
    for words in (view.title, view.committee, "日期", "2026", "地点", "应到 15 人", "实到 12 人",
                  "法定人数 10 人", "最终结果", "记录指纹", view.head, f"{view.events} 条记录",
                  "选举公钥指纹", view.fingerprint, "ballot verify", "--expect-key",
                  "主任（签字）", "监票人（签字）", "监督人员（签字）", "（盖章）"):  # fmt: skip
        assert words in summary, words
    for tier in view.tiers:
        assert "、".join(view.result[tier["tier"]]) in summary
    # the QR code opens the record itself, whose last event is the fingerprint printed
    read = subprocess.run(["zbarimg", "--quiet", "--raw", str(images[0])],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    record_url = f"{HOST}/m/{public_id}/record.json"
    assert read.stdout.split() == [record_url]
    published = json.loads(client.get(record_url).get_data(as_text=True))
    assert published["events"][-1]["hash"] == view.head
    assert view.events == len(published["events"])  # the count printed is the record's
    for r_view, text in zip(view.rounds, texts[1:], strict=True):
        page = _squash(text)
        assert f"第 {r_view.number} 轮" in page
        for words in ("应到 15 人", "实到 12 人", "发出选票", "收回", "同意", "不同意", "弃权",
                      "决定与依据", "解密的监票人", "主任（签字）", "监督人员（签字）", "（盖章）"):  # fmt: skip
            assert words in page, (r_view.number, words)
        if r_view.threshold:
            assert f"入选需同意票 {r_view.threshold}" in page
        for name in r_view.candidates:
            c = r_view.counts[name]
            assert f"{name} {c['approve']} {c['oppose']} {c['abstain']}" in page, name
        first_reason = (r_view.decision["reasons"] or [{"zh": ""}])[0]["zh"]
        assert _squash(first_reason)[:20] in page
        assert page.count("监票人（签字）") == len(r_view.signoff) == 3
        for s in r_view.signoff:
            assert view.scrutineers.get(s["scrutineer"], f"监票人 {s['scrutineer']}") in page


def test_a_rounds_pdf_is_one_page_and_a_missing_round_or_font_is_said_plainly(
    meeting: tuple[Flask, str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tools()
    app, public_id, _view = meeting
    client = app.test_client()
    r = client.get(f"/m/{public_id}/round/2.pdf", base_url=HOST)
    assert r.status_code == 200
    images, texts = _pages(r.data, tmp_path, "round-2")
    assert len(images) == 1 and "第 2 轮" in texts[0] and "第 1 轮" not in texts[0]
    missing = client.get(f"/m/{public_id}/round/9.pdf", base_url=HOST)
    assert missing.status_code == 404 and "没有第 9 轮" in missing.get_data(as_text=True)
    monkeypatch.setattr(printed, "_cjk_font", lambda: False)  # a server with no Chinese font
    r = client.get(f"/m/{public_id}/result.pdf", base_url=HOST)
    assert r.status_code == 503
    said = r.get_data(as_text=True)
    assert "没有中文字体" in said and "fonts-noto-cjk" in said


def test_the_footer_prints_a_title_as_written(tmp_path: Path) -> None:
    """The title also runs in each page's footer, which lives in the stylesheet: HTML escaping
    does not apply there, so `&`, quotes and `</style>` are CSS-escaped and print as written."""
    _tools()
    from weasyprint import HTML

    title = 'R&D "2024" </style> 质量奖'
    html = (f"<style>@page {{ @bottom-center {{ content: {printed._css_string(title)}; }} }}</style>"
            "<p>page</p>")  # fmt: skip
    (tmp_path / "f.pdf").write_bytes(HTML(string=html).write_pdf())
    text = subprocess.run(["pdftotext", str(tmp_path / "f.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert title in text


def test_the_pdf_fetches_nothing_its_page_names(
    meeting: tuple[Flask, str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the page it draws names — an image on this machine's loopback, a file — the
    PDF is made without fetching it: the server that would answer sees no request."""
    import http.server
    import threading

    hits: list[str] = []

    class Count(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Count)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    page = (f'<p>x</p><img src="{url}/image.png"><link rel="stylesheet" href="{url}/s.css">'
            '<img src="file:///etc/hostname">')  # fmt: skip
    monkeypatch.setattr(printed, "render_template", lambda *_a, **_k: page)
    app, _public_id, view = meeting
    try:
        with app.test_request_context():
            assert printed.pdf(view=view).startswith(b"%PDF")
    finally:
        server.shutdown()
    assert hits == []
