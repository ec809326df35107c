"""Reading workbooks back in tests: values through python-calamine (what the importer reads), and the parts
calamine does not show (formats, data validations, comments, fonts) from the XML inside the .xlsx."""

import io
import re
import zipfile
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
TEXT_FORMAT = "49"  # Excel's built-in "@"


def sheets(content: bytes) -> dict[str, list[list]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in workbook.sheet_names}


def records(content: bytes, title: str) -> list[dict]:
    header, *rows = sheets(content)[title]
    return [dict(zip(header, row)) for row in rows]


def column_index(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1


class Parts:
    """The XML of one workbook, by sheet name."""

    def __init__(self, content: bytes):
        self.archive = zipfile.ZipFile(io.BytesIO(content))
        workbook = self.xml("xl/workbook.xml")
        rels = self.xml("xl/_rels/workbook.xml.rels")
        targets = {rel.get("Id"): rel.get("Target") for rel in rels.findall("rel:Relationship", NS)}
        self.parts = {
            sheet.get("name"): "xl/" + targets[sheet.get(f"{{{NS['r']}}}id")].lstrip("/").removeprefix("xl/")
            for sheet in workbook.iterfind("m:sheets/m:sheet", NS)
        }
        self.states = {
            sheet.get("name"): sheet.get("state", "visible") for sheet in workbook.iterfind("m:sheets/m:sheet", NS)
        }
        styles = self.xml("xl/styles.xml")
        self.fonts = list(styles.iterfind("m:fonts/m:font", NS))
        self.xfs = list(styles.iterfind("m:cellXfs/m:xf", NS))

    def xml(self, name: str):
        return ElementTree.fromstring(self.archive.read(name))

    def sheet(self, title: str):
        return self.xml(self.parts[title])

    def validations(self, title: str) -> dict[int, dict]:
        """Column index → the data validation covering that column from row 2 down."""
        found = {}
        for item in self.sheet(title).iterfind("m:dataValidations/m:dataValidation", NS):
            start, end = item.get("sqref").split(":")
            assert re.fullmatch(r"[A-Z]+2", start) and end.endswith("1048576"), item.get("sqref")
            found[column_index(re.match(r"[A-Z]+", start).group())] = {
                **item.attrib,
                "formula1": item.findtext("m:formula1", namespaces=NS),
                "formula2": item.findtext("m:formula2", namespaces=NS),
            }
        return found

    def column_formats(self, title: str) -> dict[int, str]:
        """Column index → numFmtId of the column's default style."""
        formats = {}
        for col in self.sheet(title).iterfind("m:cols/m:col", NS):
            xf = self.xfs[int(col.get("style", "0"))]
            for index in range(int(col.get("min")) - 1, int(col.get("max"))):
                formats[index] = xf.get("numFmtId")
        return formats

    def cell(self, title: str, ref: str):
        return self.sheet(title).find(f".//m:c[@r='{ref}']", NS)

    def cell_format(self, title: str, ref: str) -> str:
        return self.xfs[int(self.cell(title, ref).get("s", "0"))].get("numFmtId")

    def font_color(self, title: str, ref: str) -> str | None:
        font = self.fonts[int(self.xfs[int(self.cell(title, ref).get("s", "0"))].get("fontId"))]
        color = font.find("m:color", NS)
        return color.get("rgb") if color is not None else None

    def comments(self, title: str) -> dict[str, str]:
        """Cell reference → comment text."""
        rels_name = self.parts[title].replace("worksheets/", "worksheets/_rels/") + ".rels"
        rels = self.xml(rels_name)
        target = next(
            r.get("Target") for r in rels.findall("rel:Relationship", NS) if r.get("Type").endswith("/comments")
        )
        comments = self.xml("xl/" + target.removeprefix("../"))
        return {
            comment.get("ref"): "".join(t.text or "" for t in comment.iter(f"{{{NS['m']}}}t"))
            for comment in comments.iterfind("m:commentList/m:comment", NS)
        }
