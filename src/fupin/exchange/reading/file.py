"""read_file: the upload as a whole — its size, then which reader its first bytes call for (an xlsx is a zip;
anything else that is not a known other format is read as CSV), whatever its name says.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.core.progress import Progress

from .base import BOOK, FileRefused, Table
from .csv import read_csv
from .xlsx import read_xlsx

MAGIC = {
    b"%PDF": gettext_lazy("PDF文件"),
    b"\x89PNG": gettext_lazy("PNG图片"),
    b"\xff\xd8\xff": gettext_lazy("JPEG图片"),
    b"GIF8": gettext_lazy("GIF图片"),
    b"Rar!": gettext_lazy("RAR压缩包"),
    b"7z\xbc\xaf": gettext_lazy("7z压缩包"),
    b"\xd0\xcf\x11\xe0": gettext_lazy("旧版Excel（.xls）或Word（.doc）文件"),
}


def read_file(path: Path, filename: str, con, progress: Progress | None = None, book: str = BOOK) -> list[Table]:
    """Stage every sheet of the file in DuckDB (`con`) and return what was found among the sheets of `book`;
    refuses unreadable files. The reader reports one step of phase "reading", done once every sheet is staged."""
    progress = progress or Progress()
    size = path.stat().st_size
    limit = settings.EXCHANGE_MAX_UPLOAD_BYTES
    if size > limit:
        raise FileRefused(
            _("文件大小%(size)s MB，超过上限%(limit)s MB，请拆分后分批导入")
            % {"size": f"{size / 2**20:.1f}", "limit": f"{limit / 2**20:.0f}"}
        )
    if size == 0:
        raise FileRefused(_("文件是空的（0字节）"))
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = Path(filename).suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return read_xlsx(path, filename, con, progress, book)
    for magic, what in MAGIC.items():
        if head.startswith(magic):
            hint = _("请在Excel或WPS中“另存为”Excel工作簿（.xlsx）后再导入") if magic == b"\xd0\xcf\x11\xe0" else ""
            raise FileRefused(
                _("“%(file)s”的内容是%(what)s，不是Excel工作簿（.xlsx）或CSV文件。%(hint)s")
                % {"file": filename, "what": what, "hint": hint}
            )
    if suffix in (".xlsx", ".xlsm"):
        raise FileRefused(
            _("“%(file)s”的扩展名是%(suffix)s，但内容不是Excel工作簿（可能是改了扩展名的其他文件）")
            % {"file": filename, "suffix": suffix}
        )
    return [read_csv(path, filename, con, progress, book)]
