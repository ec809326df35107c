"""Files made to attack the server: hostile names, sheet names and headers never become SQL or a path, archives
that lie about their size are measured as they inflate, XML with a DTD is refused, a workbook missing a part is
refused in Chinese, and the error report guards formula cells as exports do.

Each import goes through the real service calls (start_import → run_import). What the server touches is watched
twice: a Python audit hook records every file opened, created, linked, moved or removed from Python during the
import, and the folders around (the test's folder, /tmp, the working directory) are compared before and after for
what code outside Python (DuckDB's COPY) might have written."""

import csv
import io
import os
import random
import re
import struct
import sys
import uuid
import zipfile
import zlib
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import duckdb
import pytest
import xlsxwriter
from django.conf import settings as django_settings
from django.urls import reverse

from fupin.exchange import services
from fupin.exchange.exports import FORMULA_STARTS, as_text, safe
from fupin.exchange.models import ImportJob
from fupin.exchange.reading.base import display_name
from fupin.exchange.reports import guarded, sheet_names
from fupin.registry.models import Household, Member
from tests.exchange.xlsx import NS, Parts, sheets
from tests.factories import VILLAGE_A1, make_id
from tests.support import csv_text

pytestmark = pytest.mark.django_db
HEADER = ("户编号", "行政区划代码", "姓名", "证件号码", "与户主关系")
BLANKS = " \t\n\r\u3000\u00a0"  # what the importer trims around a cell (validation.BLANKS)
PWNED = f"/tmp/pwned-{uuid.uuid4().hex}.csv"  # where an injected COPY would write; unique to this run
LONG_CHINESE = "扶贫对象动态管理花名册" * 18 + "最终版本"  # 202 characters: 606 bytes, more than a file name may have

# ------------------------------------------------------------------------------------------------------------------
# watching the file system
# ------------------------------------------------------------------------------------------------------------------

_WATCHED = {
    "open",
    "os.mkdir",
    "os.link",
    "os.symlink",
    "os.rename",
    "os.replace",
    "os.remove",
    "os.rmdir",
    "os.truncate",
}
_touched: list | None = None  # the events of the import being watched, else None (the hook does nothing)


def _absolute(path, dir_fd=None) -> str:
    path = os.fsdecode(path)
    if os.path.isabs(path):
        return path
    base = os.readlink(f"/proc/self/fd/{dir_fd}") if isinstance(dir_fd, int) else os.getcwd()
    return os.path.join(base, path)


def _hook(event, args):
    try:
        _record(event, args)
    except Exception as exc:  # an audit hook's error would break the call it audits: keep it for the assertion
        if _touched is not None:
            _touched.append(("hook failed", repr(exc), ""))


def _record(event, args):
    if _touched is None or event not in _WATCHED or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    if event == "open":
        _touched.append((event, _absolute(args[0]), args[1] if isinstance(args[1], str) else _flags(args[2])))
    elif event in ("os.rename", "os.replace", "os.link"):  # (src, dst, src_dir_fd, dst_dir_fd)
        _touched.extend([(event, _absolute(args[0], args[2]), ""), (event, _absolute(args[1], args[3]), "")])
    elif event == "os.symlink":  # (src, dst, dir_fd): the link is made at dst
        _touched.append((event, _absolute(args[1], args[2]), ""))
    else:  # (path, mode, dir_fd) for mkdir; (path, dir_fd) for remove and rmdir; (path, length) for truncate
        dir_fd = args[2] if event == "os.mkdir" else args[1] if event != "os.truncate" else None
        _touched.append((event, _absolute(args[0], dir_fd), ""))


def _flags(flags) -> str:
    """os.open's flags as a mode: 'w' when they write."""
    return "w" if isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC) else "r"


_hooked = False
SUSPECT = re.compile(r"pwned|错误报告|report|upload|COPY|扶贫|\.body$|\.csv$|\.xlsx$", re.IGNORECASE)


def _listing(folder: Path, recursive: bool) -> set[str]:
    if not folder.exists():
        return set()
    found = folder.rglob("*") if recursive else folder.iterdir()
    return {str(path) for path in found}


@pytest.fixture
def watched(tmp_path, settings):
    """watched(call) → (result, paths touched from Python, files that appeared anywhere around)."""
    global _hooked
    if not _hooked:  # an audit hook cannot be removed: one for the whole run, idle outside watched imports
        sys.addaudithook(_hook)
        _hooked = True
    import fastexcel  # noqa: F401  imported before watching: a module's own files are not the import's doing

    def run(call):
        """The test's own folder is compared whole; /tmp, the working directory and the data folder, which other
        programs share, for names an injected statement or a name-made path would leave (SUSPECT)."""
        global _touched
        places = [(tmp_path, True), (Path("/tmp"), False), (Path.cwd(), False), (Path(settings.DATA_DIR), False)]
        before = [_listing(folder, recursive) for folder, recursive in places]
        _touched = []
        try:
            result = call()
        finally:
            touched, _touched = _touched, None
        after = [_listing(folder, recursive) for folder, recursive in places]
        appeared = after[0] - before[0]
        for old, new in zip(before[1:], after[1:]):
            appeared |= {path for path in new - old if SUSPECT.search(Path(path).name)}
        return result, touched, appeared

    return run


def inside(path: str, folder: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(folder.resolve())


def assert_kept_to_its_folder(job, touched, appeared, *fragments):
    """Every path the import wrote, created or removed is inside the job's folder; no path it opened at all holds a
    piece of the user's file name; nothing appeared outside the job's folder (a stray COPY target, a report named
    after the file)."""
    folder = services.job_dir(job).resolve()
    for event, path, mode in touched:
        assert event != "hook failed", path
        writes = event != "open" or any(flag in mode for flag in "wax+")
        if event == "os.mkdir" and folder.is_relative_to(Path(path).resolve()):
            continue  # the folders down to the job's own
        if writes or inside(path, Path(django_settings.EXCHANGE_DIR)):
            assert inside(path, folder), (event, path, mode)
        for fragment in fragments:
            assert fragment not in path, (event, path)
    stray = {path for path in appeared if not inside(path, folder) and not folder.is_relative_to(Path(path).resolve())}
    assert not stray, stray
    assert not os.path.exists(PWNED) and not os.path.exists(Path.cwd() / "pwned.csv")


def import_file(user, data: bytes, filename: str, *, dry_run=False):
    job = services.start_import(user, io.BytesIO(data), filename, dry_run=dry_run, via="test", enqueue=False)
    return services.run_import(job) if job.status == ImportJob.Status.QUEUED else job


# ------------------------------------------------------------------------------------------------------------------
# files to import
# ------------------------------------------------------------------------------------------------------------------


def roster_rows(good=True, prefix="H"):
    number = f"{prefix}{uuid.uuid4().hex[:6].upper()}"
    return [(number, VILLAGE_A1, "韩一", make_id() if good else "123", "户主")]


def workbook(rows, *, header=HEADER, title="家庭成员") -> bytes:
    """A workbook of one sheet, its title set in the XML afterwards (rename_sheets): xlsxwriter refuses the names
    Excel would, a crafted file need not."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("S0")
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return rename_sheets(out.getvalue(), {"S0": title})


def xml_attribute(text: str) -> bytes:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;").encode()


def rewrite(content: bytes, change) -> bytes:
    """The workbook with each part passed through change(name, data) → data (None: the part is left out)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = change(info.filename, source.read(info.filename))
            if data is not None:
                archive.writestr(info.filename, data)
    return out.getvalue()


def rename_sheets(content: bytes, names: dict[str, str]) -> bytes:
    def change(name, data):
        if name == "xl/workbook.xml":
            for old, new in names.items():
                data = data.replace(f'name="{old}"'.encode(), b'name="' + xml_attribute(new) + b'"')
        return data

    return rewrite(content, change)


# ------------------------------------------------------------------------------------------------------------------
# hostile file names
# ------------------------------------------------------------------------------------------------------------------

HOSTILE_NAMES = [
    ("引号'.csv", "引号'.csv"),
    ('双引号".csv', '双引号".csv'),
    ("分号;DROP TABLE errors;.csv", "分号;DROP TABLE errors;.csv"),
    ("注释--.csv", "注释--.csv"),
    ("反斜杠\\' OR 1=1.csv", "' OR 1=1.csv"),  # a backslash separates a Windows path: its last part is the name
    ("C:\\Users\\文员\\花名册.csv", "花名册.csv"),
    ("空\x00字符.csv", "空字符.csv"),
    ("换行\r\nX-Injected: 1.csv", "换行X-Injected: 1.csv"),
    (LONG_CHINESE + ".csv", LONG_CHINESE + ".csv"),
    ("../../x.csv", "x.csv"),
    (f"x'); COPY (SELECT 1) TO '{PWNED}", PWNED.rsplit("/", 1)[1]),  # the slashes make it a path: its last part
    ("x'); COPY (SELECT 1) TO 'pwned.csv", "x'); COPY (SELECT 1) TO 'pwned.csv"),
    # what ran SQL of its choice: the report's COPY target was the name's stem + "-错误报告.body"
    ("a' (HEADER false); COPY (SELECT 42) TO 'pwned.csv", "a' (HEADER false); COPY (SELECT 42) TO 'pwned.csv"),
    ("a/b.xlsx", "b.xlsx"),
    (LONG_CHINESE + ".xlsx", LONG_CHINESE + ".xlsx"),
    ("工作簿'); COPY (SELECT 1) TO 'pwned.csv'; --.xlsx", "工作簿'); COPY (SELECT 1) TO 'pwned.csv'; --.xlsx"),
]


# ids by position: the PWNED name is new each run, and parallel workers must collect the same test ids
@pytest.mark.parametrize(("filename", "kept"), HOSTILE_NAMES, ids=[f"name{i}" for i in range(len(HOSTILE_NAMES))])
def test_a_hostile_file_name_is_only_data(users, client, watched, filename, kept):
    """The file imports as any other (its name is a name), the job keeps the name as shown, every file the server
    writes is in the job's folder under a name it made, and the report downloads under the clerk's name, encoded."""
    xlsx = filename.endswith(".xlsx")
    content = workbook if xlsx else (lambda rows: csv_text(HEADER, *rows).encode())
    fragments = [
        piece for piece in ("pwned", "COPY", "错误报告", LONG_CHINESE[:20], "x.csv", "'", '"', ";") if piece in filename
    ]

    job, touched, appeared = watched(lambda: import_file(users["county"], content(roster_rows()), filename))
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.filename == kept
    assert_kept_to_its_folder(job, touched, appeared, *fragments)

    bad, touched, appeared = watched(lambda: import_file(users["county"], content(roster_rows(good=False)), filename))
    assert bad.status == ImportJob.Status.INVALID, bad.message
    assert bad.errors[0]["reason"].startswith("证件号码应为18位") and bad.errors[0]["letter"] == "D"
    assert bad.report_name == ("report.xlsx" if xlsx else "report.csv")
    assert_kept_to_its_folder(bad, touched, appeared, *fragments)
    assert sorted(p.name for p in services.job_dir(bad).iterdir() if p.is_file()) == sorted(
        ["heartbeat", "progress.json", bad.report_name, "upload.xlsx" if xlsx else "upload.csv"]
    )

    client.force_login(users["county"])
    response = client.get(reverse("exchange:import-report", args=[bad.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "\x00" not in disposition
    encoded = re.fullmatch(r"attachment; filename\*=utf-8''([^\s\"';]+)", disposition)
    plain = re.fullmatch(r'attachment; filename="((?:[^"\\]|\\.)*)"', disposition)
    assert encoded or plain, disposition
    shown = unquote(encoded.group(1)) if encoded else re.sub(r"\\(.)", r"\1", plain.group(1))
    assert shown == Path(kept).stem + "-错误报告" + (".xlsx" if xlsx else ".csv")
    body = b"".join(response.streaming_content)
    assert (body[:2] == b"PK") if xlsx else body.decode("utf-8-sig").startswith('"原行号","户编号"')


def test_display_name():
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("..\\..\\boot.ini") == "boot.ini"
    assert display_name("a/..") == "upload" and display_name("") == "upload" and display_name("\x00\x01") == "upload"
    assert display_name("名\u202eslx.csv") == "名slx.csv"  # a right-to-left override would show another extension
    long = display_name("户" * 300 + ".xlsx")
    assert len(long) == 255 and long.endswith("户.xlsx")


# ------------------------------------------------------------------------------------------------------------------
# hostile sheet names and headers
# ------------------------------------------------------------------------------------------------------------------

HOSTILE_TITLES = ["农户[2024]", "'户'", "a]b", "x'); DROP TABLE errors; --", 'say "hi"', "a:b*c?d/e\\f", "成员" * 100]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_a_hostile_sheet_name_is_only_data(users, watched, title):
    good, touched, appeared = watched(
        lambda: import_file(users["county"], workbook(roster_rows(prefix="T")), "表.xlsx")
    )
    assert good.status == ImportJob.Status.DONE, good.message
    content = workbook(roster_rows(good=False, prefix="T"), title=title)
    job, touched, appeared = watched(lambda: import_file(users["county"], content, "表.xlsx"))
    assert job.status == ImportJob.Status.INVALID, job.message
    assert_kept_to_its_folder(job, touched, appeared)
    assert [(e["sheet"], e["row"], e["letter"]) for e in job.errors] == [(title, 2, "D")]
    report = (services.job_dir(job) / job.report_name).read_bytes()
    ((name, rows),) = sheets(report).items()
    assert name == sheet_names([SimpleNamespace(title=title)])[0]
    assert rows[0] == ["原行号", *HEADER, "错误说明"] and rows[1][-1].startswith("D列“证件号码”的值“123”")


def test_report_sheet_names_are_ones_excel_allows_and_distinct():
    tables = [SimpleNamespace(title=title) for title in ("农户[1]", "农户]1[", "'户'", "''", "成员" * 40, "成员" * 40)]
    assert sheet_names(tables) == ["农户_1_", "农户_1_~2", "户", "Sheet4", "成员" * 15 + "成", "成员" * 14 + "成~2"]
    assert all(len(name) <= 31 for name in sheet_names(tables))


HOSTILE_HEADERS = ['"', "'", "--", ";", ")", "x'); DROP TABLE errors; --", '备注"）;--', '=HYPERLINK("http://x","点")']


@pytest.mark.parametrize("xlsx", [False, True])
def test_hostile_headers_and_cells_are_only_data(users, watched, xlsx):
    """Unknown headers are listed as not imported; cells with SQL in them are stored as typed."""
    header = (*HEADER, *HOSTILE_HEADERS)
    cells = ["'); DELETE FROM errors; --", 'a"b', "c'd", "e;f", "g)h", "--", "'", "=1+1"]
    number = f"Q{uuid.uuid4().hex[:6].upper()}"
    rows = [(number, VILLAGE_A1, "韩'); DROP TABLE registry_member; --", make_id(), "户主", *cells)]
    content = workbook(rows, header=header) if xlsx else _csv(header, rows)
    filename = "表头.xlsx" if xlsx else "表头.csv"
    job, touched, appeared = watched(lambda: import_file(users["county"], content, filename))
    assert job.status == ImportJob.Status.DONE, (job.message, job.errors)
    assert_kept_to_its_folder(job, touched, appeared)
    assert set(job.ignored_columns) == set(HOSTILE_HEADERS)
    assert Member.objects.get(household__number=number).name == "韩'); DROP TABLE registry_member; --"
    # and in an error report the same headers come back as they were, guarded
    rows = [(number + "X", VILLAGE_A1, "韩二", "123", "户主", *cells)]
    content = workbook(rows, header=header) if xlsx else _csv(header, rows)
    bad, touched, appeared = watched(lambda: import_file(users["county"], content, filename))
    assert bad.status == ImportJob.Status.INVALID and bad.error_count == 1, bad.errors
    assert_kept_to_its_folder(bad, touched, appeared)
    report = (services.job_dir(bad) / bad.report_name).read_bytes()
    if xlsx:
        (first, second) = next(iter(sheets(report).values()))[:2]
        assert first == ["原行号", *header, "错误说明"] and second[6:-1] == cells
    else:
        first, second = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))[:2]
        assert first == ["原行号", *(safe(h) for h in header), "错误说明"] and second[6:-1] == [safe(c) for c in cells]


# ------------------------------------------------------------------------------------------------------------------
# archives that lie, XML with a DTD, missing parts
# ------------------------------------------------------------------------------------------------------------------


def refused(job, *fragments):
    assert job.status == ImportJob.Status.FAILED, (job.status, job.message)
    assert "内部错误" not in job.message
    for fragment in fragments:
        assert fragment in job.message, job.message
    assert not Household.objects.filter(number__startswith="H").exists()


def lie_about_size(content: bytes, part: str, declared: int) -> bytes:
    """The archive with `part`'s uncompressed size written as `declared` in both its local header and the central
    directory, and its CRC as that of its first `declared` bytes: a reader that trusts the declared size reads a
    consistent, small member."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    info = archive.getinfo(part)
    crc = zlib.crc32(archive.read(part)[:declared])
    data = bytearray(content)
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 14, crc)
    struct.pack_into("<I", data, local + 22, declared)
    entry = struct.unpack_from("<I", data, data.rindex(b"PK\x05\x06") + 16)[0]  # the central directory
    while data[entry + 46 : entry + 46 + len(part)] != part.encode():
        assert data[entry : entry + 4] == b"PK\x01\x02"
        name, extra, comment = struct.unpack_from("<HHH", data, entry + 28)
        entry += 46 + name + extra + comment
    struct.pack_into("<I", data, entry + 16, crc)
    struct.pack_into("<I", data, entry + 24, declared)
    return bytes(data)


def padded_workbook(padding: int) -> bytes:
    """A good workbook whose sheet carries `padding` bytes of XML comments that compress about 4 to 1: no ratio
    alarm, only the size."""
    filler = random.Random(7).randbytes(padding // 2).hex()

    def change(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"</worksheet>", b"<!--" + filler.encode() + b"--></worksheet>")
        return data

    return rewrite(workbook(roster_rows()), change)


def test_an_archive_that_declares_less_than_it_inflates_to_is_refused_by_what_inflates(users, settings):
    settings.EXCHANGE_MAX_UNPACKED_BYTES = 2 << 20
    big = padded_workbook(6 << 20)  # about 3 MB compressed, 6 MB inflated
    liar = lie_about_size(big, "xl/worksheets/sheet1.xml", 1 << 20)  # declares 1 MB
    archive = zipfile.ZipFile(io.BytesIO(liar))
    assert sum(info.file_size for info in archive.infolist()) < 1.1 * 2**20
    assert len(archive.read("xl/worksheets/sheet1.xml")) == 1 << 20  # zipfile itself reads the declared 1 MB happily
    refused(
        import_file(users["county"], liar, "撒谎.xlsx"),
        "实际解压后超过上限2 MB",
        "压缩包中记录的只有1.0 MB",
        "压缩炸弹",
    )
    # the honest archive of the same size is refused by its declared size, before anything is inflated
    refused(import_file(users["county"], big, "大.xlsx"), "解压后达6 MB", "超过上限2 MB")


def test_an_archive_that_lies_within_the_limit_is_refused_too(users, settings):
    """Inflating to more than declared, even within the limit: the readers after this check would trust the
    declaration, so the file is refused rather than read two ways."""
    settings.EXCHANGE_MAX_UNPACKED_BYTES = 64 << 20
    liar = lie_about_size(padded_workbook(3 << 20), "xl/worksheets/sheet1.xml", 1 << 20)
    refused(
        import_file(users["county"], liar, "撒谎.xlsx"),
        "“xl/worksheets/sheet1.xml”解压后为",
        "与压缩包中记录的1048576字节不符",
    )


def test_a_bomb_is_stopped_while_it_inflates(users, settings):
    """150 MB of zeros declared as 2 MB: the counter stops it by its ratio after 2 MB, never inflating the rest."""
    settings.EXCHANGE_MAX_UNPACKED_BYTES = 8 << 20
    zeros = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = b"".join(zeros.compress(b"\0" * (1 << 20)) for _ in range(150)) + zeros.flush()
    bomb = _replace_member(workbook(roster_rows()), "xl/worksheets/sheet1.xml", body, declared=2 << 20)
    assert (
        len(bomb) < 1 << 20
        and zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/worksheets/sheet1.xml").file_size == 2 << 20
    )
    job = import_file(users["county"], bomb, "炸弹.xlsx")
    # stopped after its second megabyte (the first is allowed any ratio): zeros deflate about a thousand to one
    refused(job, "“xl/worksheets/sheet1.xml”解压到2 MB时压缩比已达", "压缩炸弹")
    assert 900 < int(re.search(r"压缩比已达(\d+)倍", job.message).group(1)) < 1100


def _replace_member(content: bytes, part: str, stream: bytes, *, declared: int) -> bytes:
    """The archive rebuilt by hand with `part`'s data the raw deflate `stream`, declared as `declared` bytes."""
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(content))
    entries = []
    for item in source.infolist():
        raw = stream if item.filename == part else zlib.compress(source.read(item.filename))[2:-4]
        size = declared if item.filename == part else item.file_size
        crc = 0 if item.filename == part else zlib.crc32(source.read(item.filename))
        name = item.filename.encode()
        offset = out.tell()
        out.write(
            struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(raw), size, len(name), 0) + name + raw
        )
        entries.append((name, crc, len(raw), size, offset))
    start = out.tell()
    for name, crc, compressed, size, offset in entries:
        out.write(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                compressed,
                size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    end = out.tell()
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), end - start, start, 0))
    return out.getvalue()


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%d;" % (i - 1) if i > 1 else b"&lol;" for _ in range(10)))
        for i in range(1, 10)
    )
    + b"]>"
)


def with_prolog(part: str, prolog: bytes, entity: bytes):
    def change(name, data):
        if name == part:
            data = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", data)
            return prolog + data.replace("韩一".encode(), entity, 1)
        return data

    return change


def test_billion_laughs_is_refused(users):
    content = rewrite(workbook(roster_rows()), with_prolog("xl/sharedStrings.xml", LAUGHS, b"&lol9;"))
    refused(import_file(users["county"], content, "笑.xlsx"), "“xl/sharedStrings.xml”含有文档类型定义（DTD）")


def test_an_external_entity_is_refused_and_nothing_is_read(users, watched, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    prolog = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://' + str(secret).encode() + b'">]>'
    content = rewrite(workbook(roster_rows()), with_prolog("xl/sharedStrings.xml", prolog, b"&e;"))
    job, touched, appeared = watched(lambda: import_file(users["county"], content, "外部实体.xlsx"))
    refused(job, "含有文档类型定义（DTD）或实体声明")
    assert "root:" not in job.message and not any(str(secret) == path for _, path, _ in touched)
    assert_kept_to_its_folder(job, touched, appeared)


def test_a_dtd_the_byte_scan_cannot_see_is_refused_by_the_parser(users):
    """workbook.xml in UTF-16: the DTD's bytes are not ASCII there, defusedxml still refuses it."""

    def change(name, data):
        if name == "xl/workbook.xml":
            text = re.sub(r"^<\?xml[^>]*\?>\s*", "", data.decode())
            return ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "b">]>' + text).encode("utf-16")
        return data

    content = rewrite(workbook(roster_rows()), change)
    refused(import_file(users["county"], content, "十六.xlsx"), "“xl/workbook.xml”含有文档类型定义（DTD）")


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("xl/workbook.xml", "不完整：缺少工作簿的目录（xl/workbook.xml）"),
        ("xl/_rels/workbook.xml.rels", "不完整：缺少“xl/_rels/workbook.xml.rels”"),
        ("xl/worksheets/sheet1.xml", "不完整：目录中列出的工作表“家庭成员”在文件中不存在"),
        ("xl/sharedStrings.xml", "不完整：缺少“xl/sharedStrings.xml”"),
        ("xl/styles.xml", "不完整：缺少“xl/styles.xml”"),
    ],
)
def test_a_workbook_missing_a_part_is_refused_in_chinese(users, missing, message):
    content = rewrite(workbook(roster_rows()), lambda name, data: None if name == missing else data)
    refused(import_file(users["county"], content, "缺.xlsx"), message)


def test_a_corrupt_member_is_refused(users):
    content = bytearray(workbook(roster_rows()))
    info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    content[start : start + 16] = b"\xff" * 16  # the deflate stream of the sheet, broken
    refused(import_file(users["county"], bytes(content), "坏.xlsx"), "已损坏", "sheet1.xml")


# ------------------------------------------------------------------------------------------------------------------
# formula cells in the error report
# ------------------------------------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]


def test_the_csv_report_guards_formula_cells_as_exports_do(users):
    rows = [(f"F{i}", VILLAGE_A1, text, "123" if i == 0 else make_id(), "户主") for i, text in enumerate(FORMULAS)]
    rows.append(("F8", VILLAGE_A1, " =SUM(1) ", make_id(), "户主"))  # read as "=SUM(1)": guarded as that
    rows.append(("F9", VILLAGE_A1, "韩九", "\t" + make_id(), "户主"))  # an exported ID: behind a tab
    job = import_file(users["county"], _csv(HEADER, rows), "公式.csv")
    assert job.status == ImportJob.Status.INVALID, job.message
    lines = list(csv.reader(io.StringIO((services.job_dir(job) / job.report_name).read_text("utf-8-sig"))))
    names = [line[3] for line in lines[1:]]
    assert names == [*("'" + text for text in FORMULAS), "'=SUM(1)", "韩九"]
    assert names == [*(safe(text) for text in FORMULAS), safe("=SUM(1)"), "韩九"]
    assert lines[-1][4] == as_text(rows[-1][3].strip()) and lines[2][4] == "\t" + rows[1][3]
    assert lines[1][4] == "123"  # a short number: nothing to guard
    # the clerk fixes the ID in the report and imports the report itself: the guarded names come back as typed
    lines[1][4] = make_id()
    fixed = io.StringIO()
    csv.writer(fixed).writerows(lines)
    again = import_file(users["county"], fixed.getvalue().encode("utf-8-sig"), "公式-错误报告.csv")
    assert again.status == ImportJob.Status.DONE, (again.message, again.errors)
    assert sorted(Member.objects.filter(household__number__startswith="F").values_list("name", flat=True)) == sorted(
        [*FORMULAS, "=SUM(1)", "韩九"]
    )


def test_the_xlsx_report_writes_formula_cells_as_strings(users):
    rows = [(f"G{i}", VILLAGE_A1, text, "123" if i == 0 else make_id(), "户主") for i, text in enumerate(FORMULAS)]
    header = (*HEADER, "=1+2")
    job = import_file(users["county"], workbook([(*row, "=3+4") for row in rows], header=header), "公式.xlsx")
    assert job.status == ImportJob.Status.INVALID, job.message
    report = (services.job_dir(job) / job.report_name).read_bytes()
    parts = Parts(report)
    sheet = parts.sheet("家庭成员")
    assert sheet.find(".//m:f", NS) is None  # not one formula anywhere
    for ref in ["D2", "D3", "D4", "D5", "D6", "G1", "G2"]:
        assert parts.cell("家庭成员", ref).get("t") in ("s", "inlineStr", "str"), ref
    assert [row[3] for row in sheets(report)["家庭成员"][1:]] == FORMULAS  # as typed: a string cell runs nothing


def test_guarded_sql_is_exports_guard():
    """reports.guarded (SQL, for the CSV report's COPY) gives what exports.safe gives for the cell as the importer
    reads it, and exports.as_text for the long digit strings exports write behind a tab."""
    values = [
        *FORMULAS,
        "",
        "a",
        "'=",
        "\t=1",
        "\rx",
        " =1",
        "\u3000=1\u00a0",
        " 韩 ",
        "=",
        "+",
        "-",
        "@",
        "110101199003071234",
        " 13912345678 ",
        "\t110101199003071234",
        "1234567890",
        "１２３",
        "-12345678901",
        *(start + "x" for start in FORMULA_STARTS),
    ]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (c0 VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
    got = dict(con.execute(f"SELECT c0, {guarded('c0')} FROM t").fetchall())
    for value in values:
        read = value.strip(BLANKS)  # as the importer reads the cell
        long = re.fullmatch(r"[0-9]{11,}[0-9Xx]?", read)
        assert got[value] == (as_text(read) if long else safe(read)), repr(value)


def _csv(header, rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode()
