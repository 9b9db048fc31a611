"""The office's spreadsheets: a roster or a score sheet as CSV or Excel (.xlsx, read with
openpyxl), turned into the CSV text the roster and slate readers take, and the templates the
office downloads to fill in. Refusals say which file and what to do; the readers name the row
and the column of a bad cell (an Excel sheet's row numbers are its own)."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from typing import Any

from ballot.services.errors import ServiceError

MAX_SHEET_BYTES = 2 * 1024 * 1024
MAX_CELLS = 50_000
MAX_UNPACKED = 20 * 1024 * 1024
MAX_SHEET_ROWS = 5_000  # rows read, blank ones included
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEMPLATES: dict[str, tuple[list[str], list[list[Any]]]] = {
    "roster": (["姓名", "角色"], [["张主任", "主任"], ["李委员", "委员"], ["王委员", "委员"]]),
    "scores": (
        ["受评组织", "资料评审", "现场评审", "答辩"],
        [["示例组织甲", 820, 860.5, ""], ["示例组织乙", 790, 845, ""]],
    ),
}
WHAT = {"roster": ("the roster", "名单"), "scores": ("the score sheet", "评分表")}


def sheet_text(kind: str, filename: str, data: bytes) -> str:
    """The uploaded `kind` sheet ("roster" or "scores") as CSV text: a .csv file as it is
    (UTF-8, or GB18030 as Excel in Chinese saves it), a .xlsx file's first worksheet."""
    en, zh = WHAT[kind]
    if len(data) > MAX_SHEET_BYTES:
        raise ServiceError(
            "bad-sheet",
            en=f"{en} file is {len(data)} bytes; at most {MAX_SHEET_BYTES}",
            zh=f"{zh}文件有 {len(data)} 字节，最多 {MAX_SHEET_BYTES} 字节",
        )
    name = filename.lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return _xlsx_text(kind, data)
    if name.endswith((".xls", ".et", ".numbers", ".ods")):
        raise ServiceError(
            "bad-sheet",
            en=f"{en} is a {name.rsplit('.', 1)[-1]} file: save it as Excel (.xlsx) or CSV",
            zh=f"{zh}是 {name.rsplit('.', 1)[-1]} 文件：请另存为 Excel（.xlsx）或 CSV",
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError(
        "bad-sheet",
        en=f"{en} is neither UTF-8 nor GB18030 text: save it as CSV (UTF-8) or Excel (.xlsx)",
        zh=f"{zh}不是 UTF-8 或 GB18030 文本：请另存为 CSV（UTF-8）或 Excel（.xlsx）",
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # the number as Excel shows it (15 significant digits), not the binary float it stores:
        # =AVERAGE(850.1,850.2,850.3) is 850.2, as typed 850.2 is, and the two still tie
        return format(Decimal(format(value, ".15g")).normalize(), "f")
    return str(value).strip()


def _shown(cell: Any) -> str:
    """A workbook cell as the text the office sees in it. A number formatted as a percentage
    reads as Excel shows it ("85%"), not as the fraction it stores (0.85): a score typed that
    way is then refused as not a number, rather than taken as 0.85 points."""
    value = getattr(cell, "value", None)
    number_format = getattr(cell, "number_format", None) or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in number_format:
        hundred = Decimal(format(value, ".15g")) * 100
        return format(hundred.normalize(), "f") + "%"
    return _cell(value)


def _xlsx_text(kind: str, data: bytes) -> str:
    from openpyxl import load_workbook  # (only when an Excel file comes in)

    en, zh = WHAT[kind]
    try:  # a workbook is a zip: refuse one that unpacks to far more than a sheet could need
        unpacked = sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        unpacked = 0  # (load_workbook says it is not a workbook)
    if unpacked > MAX_UNPACKED:
        raise ServiceError(
            "bad-sheet",
            en=f"{en} unpacks to {unpacked} bytes; a roster or score sheet needs far less: "
            "save only the one sheet",
            zh=f"{zh}解压后有 {unpacked} 字节，远超名单或评分表所需：请只保存这一张表",
        )
    try:  # (openpyxl parses the sheet's XML with defusedxml: no entity expansion)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, SyntaxError):
        raise ServiceError(
            "bad-sheet",
            en=f"{en} is not an Excel workbook Excel or WPS can open (.xlsx): save it again",
            zh=f"{zh}不是可打开的 Excel 工作簿（.xlsx）：请重新保存",
        ) from None
    try:
        if not book.worksheets:
            raise ServiceError(
                "bad-sheet", en=f"{en} workbook has no sheet", zh=f"{zh}工作簿中没有工作表"
            )
        sheet = book.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        cells = rows = 0
        for row in sheet.iter_rows():
            cells, rows = cells + len(row), rows + 1
            if cells > MAX_CELLS or rows > MAX_SHEET_ROWS:
                raise ServiceError(
                    "bad-sheet",
                    en=f"{en} has more than {MAX_CELLS} cells or {MAX_SHEET_ROWS} rows: one "
                    "sheet, one row per person or organisation, no far-away cell",
                    zh=f"{zh}超过 {MAX_CELLS} 格或 {MAX_SHEET_ROWS} 行：请只留一张表，每人或每个组织一行，"
                    "不要有远处的单元格",
                )
            values = [_shown(c) for c in row]
            while values and not values[-1]:
                values.pop()  # (Excel's empty trailing cells)
            writer.writerow(values)
    except ServiceError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, SyntaxError, OSError, zipfile.BadZipFile):
        # (a damaged part of the workbook: XML that does not parse, a bad cell reference)
        raise ServiceError(
            "bad-sheet",
            en=f"{en} workbook is damaged and cannot be read: open it in Excel or WPS, save it "
            "again as .xlsx (or as CSV) and upload that",
            zh=f"{zh}工作簿已损坏，无法读取：请用 Excel 或 WPS 打开后重新另存为 .xlsx（或 CSV）再上传",
        ) from None
    finally:
        book.close()
    return _pad(out.getvalue())


def _pad(text: str) -> str:
    """Rows cut short by empty trailing cells padded to the header's width (CSV readers
    insist every row has the header's cells)."""
    rows = list(csv.reader(io.StringIO(text)))
    width = max((len(r) for r in rows[:1]), default=0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(row + [""] * (width - len(row)) if any(c for c in row) else [])
    return out.getvalue()


def template(kind: str, fmt: str) -> tuple[bytes, str, str]:
    """The `kind` template ("roster" or "scores") as `fmt` ("xlsx" or "csv"): (bytes, media
    type, file name)."""
    header, rows = TEMPLATES[kind]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig"), "text/csv", f"{kind}.csv"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = WHAT[kind][1]
    sheet.append(header)
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    for column, width in zip("ABCD", (22, 12, 12, 10), strict=False):
        sheet.column_dimensions[column].width = width
    data = io.BytesIO()
    book.save(data)
    return data.getvalue(), XLSX, f"{kind}.xlsx"
