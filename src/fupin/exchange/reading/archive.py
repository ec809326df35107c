"""The workbook's zip, checked before any reader touches it: what is not a workbook, a part missing, a member that
inflates past the limit or to another size than it declares (zip bombs), XML with a DTD; then its sheets' parts.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from django.conf import settings
from django.utils.translation import gettext as _

from .base import FileRefused

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


INFLATE_IN, INFLATE_OUT = 64 << 10, 1 << 20  # compressed bytes read, inflated bytes made at a time
#: what precedes entity expansion (billion laughs) and external entities; Excel and WPS never write either
_DTD = (b"<!DOCTYPE", b"<!ENTITY")


def open_zip(path: Path, filename: str) -> zipfile.ZipFile:
    """Refuses what is not a workbook, a workbook with a part missing, and zip bombs.

    The sizes an archive declares are only claims: every member is inflated once here, before anything else reads
    it, counting the bytes that actually come out, and the file is refused as soon as they pass the limit, or when
    a member inflates to another size than it declares (the readers would trust the declaration). XML parts with a
    DTD are refused on the way (see _DTD)."""
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(_("“%(file)s”已损坏，无法作为Excel工作簿打开") % {"file": filename}) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        if any(name.startswith("xl/") for name in names):
            raise FileRefused(
                _(
                    "“%(file)s”不完整：缺少工作簿的目录（xl/workbook.xml），文件可能已损坏。请在Excel或WPS中打开并重新保存后再导入"
                )
                % {"file": filename}
            )
        what = _("Word文档") if "word/document.xml" in names else _("压缩包")
        raise FileRefused(_("“%(file)s”是%(what)s，不是Excel工作簿（.xlsx）") % {"file": filename, "what": what})
    limit = settings.EXCHANGE_MAX_UNPACKED_BYTES
    declared = sum(info.file_size for info in infos)
    worst = max((info.file_size / max(info.compress_size, 1) for info in infos if info.file_size > 1 << 20), default=1)
    if declared > limit or worst > 200:
        raise FileRefused(_bomb(filename, declared, worst, limit))
    inflated = 0
    with path.open("rb") as raw:
        for info in infos:
            try:
                size = _inflate(raw, info, filename, limit - inflated)
            except _Inflated as big:
                if big.size <= limit - inflated:  # stopped by its ratio, long before the limit
                    raise FileRefused(
                        _(
                            "“%(file)s”中的“%(part)s”解压到%(size)s MB时压缩比已达%(ratio)s倍，"
                            "疑似“压缩炸弹”，已拒绝。请只复制有数据的区域到新工作簿后再导入"
                        )
                        % {
                            "file": filename,
                            "part": info.filename,
                            "size": big.size // 2**20,
                            "ratio": f"{big.ratio:.0f}",
                        }
                    ) from None
                raise FileRefused(
                    _(
                        "“%(file)s”实际解压后超过上限%(limit)s MB"
                        "（压缩包中记录的只有%(declared)s MB），"
                        "疑似“压缩炸弹”，已拒绝。请只复制有数据的区域到新工作簿后再导入"
                    )
                    % {"file": filename, "limit": f"{limit / 2**20:.0f}", "declared": f"{declared / 2**20:.1f}"}
                ) from None
            if size != info.file_size:
                raise FileRefused(
                    _(
                        "“%(file)s”中的“%(part)s”解压后为%(size)s字节，与压缩包中记录的%(declared)s字节不符。"
                        "文件已损坏或是被人为构造的，已拒绝"
                    )
                    % {"file": filename, "part": info.filename, "size": size, "declared": info.file_size}
                )
            inflated += size
    return archive


def _bomb(filename: str, unpacked: int, ratio: float, limit: int) -> str:
    return _(
        "“%(file)s”解压后达%(size)s MB（压缩比%(ratio)s倍），超过上限%(limit)s MB，"
        "疑似“压缩炸弹”或含有大量空白格式，已拒绝。请只复制有数据的区域到新工作簿后再导入"
    ) % {
        "file": filename,
        "size": f"{unpacked / 2**20:.0f}",
        "ratio": f"{ratio:.0f}",
        "limit": f"{limit / 2**20:.0f}",
    }


class _Inflated(Exception):
    """A member inflated past what is allowed (size: bytes so far; ratio: to the compressed bytes read so far)."""

    def __init__(self, size: int, ratio: float):
        self.size, self.ratio = size, ratio


def _inflate(raw, info: zipfile.ZipInfo, filename: str, allowed: int) -> int:
    """Inflate one member from the archive's bytes (not through zipfile, which stops at the declared size), at most
    `allowed` bytes of output, scanning XML for a DTD; returns the size it really has."""
    broken = FileRefused(
        _("“%(file)s”已损坏（“%(part)s”无法解压），无法作为Excel工作簿打开") % {"file": filename, "part": info.filename}
    )
    if info.flag_bits & 0x1:
        raise FileRefused(_("“%(file)s”中的内容已加密，请在Excel中取消密码保护后再导入") % {"file": filename})
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise FileRefused(
            _("“%(file)s”使用了Excel不会使用的压缩方式，请在Excel或WPS中打开并重新保存后再导入") % {"file": filename}
        )
    raw.seek(info.header_offset)
    local = raw.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise broken
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    raw.seek(info.header_offset + 30 + name_length + extra_length)
    xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, size, tail = info.compress_size, 0, b""
    while inflater is None or not inflater.eof:
        if inflater is not None and inflater.unconsumed_tail:
            chunk = inflater.unconsumed_tail
        else:
            chunk = raw.read(min(left, INFLATE_IN))
            left -= len(chunk)
        if inflater is None:
            data = chunk
        else:
            try:  # an empty chunk still returns what the inflater holds back (a copy cut short by the output limit)
                data = inflater.decompress(chunk, INFLATE_OUT)
            except zlib.error:
                raise broken from None
        if not data:
            if not chunk:
                break
            continue
        size += len(data)
        consumed = info.compress_size - left - (len(inflater.unconsumed_tail) if inflater is not None else 0)
        ratio = size / max(consumed, 1)  # so far: a bomb shows itself in its first megabytes
        if size > allowed or (size > 1 << 20 and ratio > 200):
            raise _Inflated(size, ratio)
        if xml:
            if any(marker in data or marker in tail + data[:16] for marker in _DTD):
                raise _refuse_dtd(filename, info.filename)
            tail = data[-16:]
    if inflater is not None and not inflater.eof:
        raise broken
    return size


def _refuse_dtd(filename: str, part: str) -> FileRefused:
    return FileRefused(
        _(
            "“%(file)s”中的“%(part)s”含有文档类型定义（DTD）或实体声明。Excel和WPS不会写出这种内容，"
            "这类文件可用于攻击服务器，已拒绝"
        )
        % {"file": filename, "part": part}
    )


def _xml(archive: zipfile.ZipFile, part: str, filename: str):
    """One XML part of the workbook, parsed without a DTD, entities or anything read from elsewhere (defusedxml)."""
    try:
        return parse_xml(archive.read(part), forbid_dtd=True)
    except KeyError:
        raise FileRefused(
            _("“%(file)s”不完整：缺少“%(part)s”，文件可能已损坏。请在Excel或WPS中打开并重新保存后再导入")
            % {"file": filename, "part": part}
        ) from None
    except DefusedXmlException:
        raise _refuse_dtd(filename, part) from None
    except (ParseError, zipfile.BadZipFile, ValueError):
        raise FileRefused(
            _("“%(file)s”已损坏（“%(part)s”无法读取），无法作为Excel工作簿打开") % {"file": filename, "part": part}
        ) from None


def _part(target: str) -> str:
    """A relationship's target as the archive names it: relative to xl/ unless it starts with /."""
    return posixpath.normpath(target.lstrip("/") if target.startswith("/") else "xl/" + target)


def sheet_parts(archive: zipfile.ZipFile, filename: str) -> list[tuple[str, str]]:
    """(sheet name, its XML part) in the workbook's order, from the workbook and its relationships; refuses a
    workbook that names a sheet its archive does not hold."""
    workbook = _xml(archive, "xl/workbook.xml", filename)
    rels = _xml(archive, "xl/_rels/workbook.xml.rels", filename)
    relations = rels.findall("rel:Relationship", _NS)
    targets = {rel.get("Id"): _part(rel.get("Target") or "") for rel in relations}
    names = set(archive.namelist())
    for rel in relations:  # the parts the reader needs besides the sheets
        if (rel.get("Type") or "").endswith(("/sharedStrings", "/styles")) and targets[rel.get("Id")] not in names:
            raise FileRefused(
                _("“%(file)s”不完整：缺少“%(part)s”，文件可能已损坏。请在Excel或WPS中打开并重新保存后再导入")
                % {"file": filename, "part": targets[rel.get("Id")]}
            )
    parts = []
    for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
        part = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        title = sheet.get("name") or ""
        if part not in names:
            raise FileRefused(
                _(
                    "“%(file)s”不完整：目录中列出的工作表“%(sheet)s”在文件中不存在，文件可能已损坏。"
                    "请在Excel或WPS中打开并重新保存后再导入"
                )
                % {"file": filename, "sheet": title}
            )
        parts.append((title, part))
    if not parts:
        raise FileRefused(_("“%(file)s”中没有任何工作表") % {"file": filename})
    return parts
