"""The office's spreadsheets (services/sheets.py, the office's preview): Excel or CSV in, the
templates out and back in, and every bad sheet refused with the row and the column named,
nothing stored."""

from __future__ import annotations

import html
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from ballot.services import meetings, sheets
from ballot.services.errors import ServiceError
from ballot.storage import models as m
from ballot.tally.slate import read_reviews
from ballot.web import create_app
from tests.support.web import log_in


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_templates_download_and_read_back() -> None:
    for fmt in ("xlsx", "csv"):
        data, _, name = sheets.template("roster", fmt)
        roster = meetings.parse_roster(sheets.sheet_text("roster", name, data))
        assert ("张主任", "chair") in roster and len(roster) == 3
        data, _, name = sheets.template("scores", fmt)
        reviews = read_reviews(sheets.sheet_text("scores", name, data))
        assert [r.organisation for r in reviews] == ["示例组织甲", "示例组织乙"]
    book = load_workbook(io.BytesIO(sheets.template("scores", "xlsx")[0]))
    assert [c.value for c in book.worksheets[0][1]] == ["受评组织", "资料评审", "现场评审", "答辩"]


def test_excel_cells_become_the_numbers_and_rows_an_office_sees() -> None:
    text = sheets.sheet_text(
        "scores", "分数.xlsx",
        _xlsx([["受评组织", "资料评审", "现场评审"], ["甲", 850, 860.25], [None, None, None],
               ["乙", 800.0, "790"]]),
    )  # fmt: skip
    reviews = read_reviews(text)
    assert [(r.organisation, str(r.document), str(r.site)) for r in reviews] == [
        ("甲", "850", "3441/4"),
        ("乙", "800", "790"),
    ]


def test_a_score_formatted_as_a_percentage_is_refused_as_excel_shows_it() -> None:
    """Excel stores 85% as 0.85; read as stored it would be a score of 0.85 points. It reads as
    the office sees it, and the score sheet names the cell."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [["受评组织", "资料评审", "现场评审"], ["甲", 850, 860], ["乙", 0.85, 790]]:
        sheet.append(row)
    sheet["B3"].number_format = "0%"
    sheet["C2"].number_format = "0.00"  # (an ordinary number format changes nothing)
    data = io.BytesIO()
    book.save(data)
    text = sheets.sheet_text("scores", "s.xlsx", data.getvalue())
    assert text.splitlines()[1:] == ["甲,850,860", "乙,85%,790"]
    with pytest.raises(Exception) as caught:
        read_reviews(text)
    said = str(getattr(caught.value, "text", caught.value))
    for word in ("第 3 行", "资料评审", "85%"):
        assert word in said, (word, said)


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([["受评组织", "资料评审", "现场评审"], ["甲", 850, 860], [], ["乙", "八百", 790]],
         ["第 4 行", "资料评审", "八百"]),
        ([["受评组织", "资料评审", "现场评审"], ["甲", 850, 1200]], ["第 2 行", "现场评审", "1200"]),
        ([["受评组织", "资料评审"], ["甲", 850]], ["现场评审", "site"]),
    ],
)  # fmt: skip
def test_a_bad_score_sheet_names_the_row_and_the_column(
    rows: list[list[Any]], words: list[str]
) -> None:
    with pytest.raises(Exception) as caught:
        read_reviews(sheets.sheet_text("scores", "s.xlsx", _xlsx(rows)))
    said = str(getattr(caught.value, "text", caught.value))
    for word in words:
        assert word in said, (word, said)


def test_files_that_are_not_sheets_are_refused_plainly() -> None:
    for name, data, words in (
        ("名单.xls", b"\xd0\xcf\x11\xe0old excel", "另存为 Excel（.xlsx）或 CSV"),
        ("名单.xlsx", b"PK\x03\x04 not really a zip", "不是可打开的 Excel 工作簿"),
        ("名单.csv", b"\xff\xfe\x00\xd8" * 10, "UTF-8"),
        ("名单.csv", b"x" * (sheets.MAX_SHEET_BYTES + 1), "最多"),
    ):
        with pytest.raises(ServiceError) as caught:
            sheets.sheet_text("roster", name, data)
        assert words in caught.value.text.zh + caught.value.text.en, (name, caught.value.text)
    gbk = "姓名,角色\n王主任,主任\n".encode("gb18030")  # as Excel in Chinese saves a CSV
    assert meetings.parse_roster(sheets.sheet_text("roster", "名单.csv", gbk)) == [
        ("王主任", "chair")
    ]


def _office(tmp_path: Path) -> tuple[Flask, Any, str]:
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    made = subprocess.run([sys.executable, "-m", "ballot", "office", "--database-url", url],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert made.returncode == 0, made.stderr
    code = made.stdout.split()[made.stdout.split().index("会务组登录:") + 1]
    app = create_app({"DATABASE_URL": url, "KEYS": str(tmp_path / "keys")})
    client, csrf = log_in(app, code, then="/office/new")
    return app, client, csrf


def test_the_preview_stores_nothing_and_says_what_is_wrong(tmp_path: Path) -> None:
    app, office, csrf = _office(tmp_path)
    assert office.get("/office/template/roster.xlsx").mimetype == sheets.XLSX
    assert office.get("/office/template/nothing.xlsx").status_code == 404
    roster = _xlsx([["姓名", "角色"], ["王主任", "主任"], ["李委员", "委员"], ["赵委员", "评委"]])
    scores = _xlsx(
        [["受评组织", "资料评审", "现场评审"], *([f"组织{i}", 800 - i, 810 - i] for i in range(12))]
    )
    form = {"csrf_token": csrf, "profile": "jiaxing-2020", "committee": "评委会", "title": "评审会",
            "scrutineers": "甲\n乙\n丙", "k": "2", "places-award": "5", "places-nominee": "3"}  # fmt: skip

    def preview(**files: bytes) -> Any:
        data: dict[str, Any] = dict(form)
        for field, content in files.items():
            data[field] = (io.BytesIO(content), f"{field}.xlsx")
        return office.post("/office/new/preview", data=data, content_type="multipart/form-data")

    r = preview(roster_file=roster, scores_file=scores)
    assert r.status_code == 400 and "名单第 4 行：角色须为 委员 或 主任" in r.get_data(as_text=True)
    good = _xlsx([["姓名", "角色"], ["王主任", "主任"], ["李委员", "委员"], ["赵委员", "委员"]])
    r = preview(roster_file=good, scores_file=scores)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "质量奖、提名奖 — 12 个候选组织" in page
    form["places-award"] = "五"
    r = preview(roster_file=good, scores_file=scores)
    assert r.status_code == 400 and "质量奖名额" in r.get_data(as_text=True)
    form["places-award"] = "5"
    form["k"] = "5"  # of 3 scrutineers: said at the preview, not only once confirmed
    r = preview(roster_file=good, scores_file=scores)
    assert r.status_code == 400 and "现为 3 名、门限 5" in r.get_data(as_text=True)
    form["k"] = "2"
    with app.extensions["ballot"].db() as s:  # type: ignore[attr-defined]
        assert s.scalar(select(func.count()).select_from(m.Meeting)) == 0
        assert s.scalar(select(func.count()).select_from(m.Committee)) == 0
    # confirmed: created; a second meeting of that committee shows the roster it keeps
    page = preview(roster_file=good, scores_file=scores).get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    created = office.post("/office/new", data={k: html.unescape(v) for k, v in hidden.items()})
    assert created.status_code == 200 and "访问码" in created.get_data(as_text=True)
    other = _xlsx([["姓名", "角色"], ["钱主任", "主任"]])
    page = preview(roster_file=other, scores_file=scores).get_data(as_text=True)
    shown = page.split('id="confirm-roster"')[1].split("</section>")[0]
    assert "已有名单：新会议沿用这份名单" in shown and "王主任" in shown and "钱主任" not in shown


def test_a_workbook_that_explodes_is_refused_before_it_is_read() -> None:
    """A zip that unpacks to far more than a sheet (a 'zip bomb'), and a sheet whose XML
    defines entities (a 'billion laughs'), are refused plainly; neither is expanded."""
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (sheets.MAX_UNPACKED + 1))
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(ServiceError) as caught:
        sheets.sheet_text("scores", "s.xlsx", bomb.getvalue())
    assert "解压后" in caught.value.text.zh
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["受评组织", "资料评审", "现场评审"]])))
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as z:
        for item in source.infolist():
            data = source.read(item)
            z.writestr(item, laughs if item.filename.endswith("sheet1.xml") else data)
    with pytest.raises(ServiceError) as caught:
        sheets.sheet_text("scores", "s.xlsx", evil.getvalue())
    assert "不是可打开的 Excel 工作簿" in caught.value.text.zh


def _replace_part(data: bytes, suffix: str, content: str | None) -> bytes:
    """The workbook with its part ending in `suffix` replaced (None: left out)."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in source.infolist():
            if item.filename.endswith(suffix):
                if content is not None:
                    z.writestr(item, content)
            else:
                z.writestr(item, source.read(item))
    return out.getvalue()


def test_a_damaged_or_sprawling_workbook_is_refused_plainly() -> None:
    good = _xlsx([["受评组织", "资料评审", "现场评审"], ["甲", 850, 860]])
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    for damaged in (
        _replace_part(good, "sheet1.xml", "<worksheet><sheetData><row r="),  # cut short
        _replace_part(
            good,
            "sheet1.xml",
            f'<worksheet {ns}><sheetData><row r="x"><c r="!!">'
            "<v>1</v></c></row></sheetData></worksheet>",
        ),
        _replace_part(good, "styles.xml", "garbled"),
    ):
        with pytest.raises(ServiceError) as caught:
            sheets.sheet_text("scores", "s.xlsx", damaged)
        said = caught.value.text
        assert "无法读取" in said.zh or "不是可打开的" in said.zh, said
    far = _replace_part(
        good, "sheet1.xml",
        f'<worksheet {ns}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>受评组织</t></is>'
        '</c></row><row r="3000000"><c r="A3000000"><v>1</v></c></row></sheetData></worksheet>',
    )  # fmt: skip
    with pytest.raises(ServiceError) as caught:
        sheets.sheet_text("scores", "s.xlsx", far)
    assert "5000 行" in caught.value.text.zh


def test_a_computed_score_ties_with_the_same_score_typed() -> None:
    """=AVERAGE(850.1,850.2,850.3) is stored as 850.2000000000002 but shown as 850.2: read as
    shown, so it ties with a typed 850.2 (a tie at a list's cut-off is never lost)."""
    text = sheets.sheet_text(
        "scores", "s.xlsx",
        _xlsx([["受评组织", "资料评审", "现场评审"], ["甲", (850.1 + 850.2 + 850.3) / 3, 800],
               ["乙", 850.2, 800]]),
    )  # fmt: skip
    first, second = read_reviews(text)
    assert first.document == second.document


@pytest.mark.parametrize(
    "profile",
    ["changchun-2018", "chongqing-2015", "jiangyin-draft", "jiaxing-2020", "xiaoshan-draft"],
)
def test_every_regulation_sets_up_a_meeting_from_the_office_form(
    tmp_path: Path, profile: str
) -> None:
    """Each of the five regulations, from the form alone: the tiers and places it states, the
    settings it leaves to the committee asked for (and refused when missing), the slate from the
    score sheet — or listed by hand where the regulation has no list rule (长春) — confirmed,
    then created."""
    from ballot.services import office_slate

    app, office, csrf = _office(tmp_path)
    page = office.get(f"/office/new?profile={profile}").get_data(as_text=True)
    tiers = office_slate.tier_choices(profile)
    for tier in tiers:
        assert f'id="places-{tier.id}"' in page and tier.name.zh in page
    open_ = office_slate.open_settings(profile)
    for key in open_:
        assert f'id="setting-{key}"' in page
    # the clause behind each tier's places is quoted, and said in English on the English page
    office.get("/lang/en")
    english = office.get(f"/office/new?profile={profile}").get_data(as_text=True)
    for tier in tiers:
        assert html.escape(tier.clause, quote=False) in english
        said = (
            "not set by the regulation; the committee decides"
            if tier.places is None
            else f"the regulation allows at most {tier.places}, and places may stay empty"
        )
        assert said in english, tier.id
    office.get("/lang/zh")
    roster = _xlsx(
        [["姓名", "角色"], ["王主任", "主任"], *([f"委员{i}", "委员"] for i in range(8))]
    )
    scores = _xlsx([["受评组织", "资料评审", "现场评审", "答辩"],
                    *([f"组织{i:02d}", 900 - 7 * i, 880 - 5 * i, 95 - i] for i in range(24))])  # fmt: skip
    form: dict[str, Any] = {"csrf_token": csrf, "profile": profile, "committee": f"{profile} 评委会",
                            "title": "评审会", "scrutineers": "甲\n乙\n丙", "k": "2",
                            "candidates": "甲公司\n乙公司\n丙公司\n丁公司\n"}  # fmt: skip
    for tier in tiers:
        form[f"places-{tier.id}"] = str(min(tier.places or 2, 3))
    files = {
        "roster_file": (io.BytesIO(roster), "r.xlsx"),
        "scores_file": (io.BytesIO(scores), "s.xlsx"),
    }

    def preview(**extra: str) -> Any:
        fresh = {k: (io.BytesIO(v[0].getvalue()), v[1]) for k, v in files.items()}
        return office.post("/office/new/preview", data=form | extra | fresh,
                           content_type="multipart/form-data")  # fmt: skip

    if open_:
        r = preview()
        assert r.status_code == 400 and "办法未规定，须由评委会确定" in r.get_data(as_text=True)
    settings = {"setting-quorum": "2/3", "setting-threshold": "1/2",
                "setting-weights": "document=3/10,site=6/10,defence=1/10"}  # fmt: skip
    r = preview(**settings)
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page[-1500:]
    held = [t for t in tiers if form[f"places-{t.id}"]]
    for tier in held:
        assert tier.name.zh in page.split('id="confirm-slate"')[1]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    created = office.post("/office/new", data={k: html.unescape(v) for k, v in hidden.items()})
    assert created.status_code == 200 and 'class="slip"' in created.get_data(as_text=True)
    with app.extensions["ballot"].db() as s:  # type: ignore[attr-defined]
        assert s.scalar(select(m.Meeting.profile_id)) == profile


def test_a_sheet_of_more_cells_than_any_roster_is_refused() -> None:
    wide = _xlsx([[f"c{i}" for i in range(200)]] + [[1] * 200 for _ in range(300)])  # 60 200
    with pytest.raises(ServiceError) as caught:
        sheets.sheet_text("scores", "s.xlsx", wide)
    assert f"超过 {sheets.MAX_CELLS} 格" in caught.value.text.zh
