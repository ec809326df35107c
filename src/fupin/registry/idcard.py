"""Chinese resident ID numbers (GB 11643-1999) and the disability-certificate numbers built on them.

Pure standard library, so imports, the API and the CLI can all check a number the same way before it
reaches the database. Every refusal carries a Chinese reason a clerk can act on: most bad numbers come from
typing errors or from Excel, which turns long numbers into floats and keeps only 15 significant digits.

The one GB 11643 checksum (WEIGHTS, CHECK_CHARS) is here; check_codes is its vectorised form (numpy), for the
importer's bulk check (exchange.validation), the demo's generated IDs and the import bench.
"""

import numbers
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "InvalidIdNumber",
    "IdInfo",
    "normalize_id_number",
    "check_char",
    "check_codes",
    "parse_id_number",
    "is_valid_id_number",
    "upgrade_15_to_18",
]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # of the first 17 digits, in order
CHECK_CHARS = "10X98765432"  # the check character, indexed by the weighted sum S mod 11
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
KINDS = {15: "legacy15", 18: "resident18", 20: "disability20", 22: "disability22"}
DISABILITY_CATEGORIES = "1234567"  # 视力、听力、言语、肢体、智力、精神、多重
DISABILITY_LEVELS = "1234"
EARLIEST_BIRTH = date(1900, 1, 1)

_DIGITS = re.compile(r"[0-9]+")
# What Excel (or a CSV round trip through it) leaves behind: "1.10105E+17", "110105199003071234.0".
_EXCEL_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?E[+-]?[0-9]+|[0-9]+\.[0-9]*", re.IGNORECASE)

STORED_AS_FLOAT = "证件号码被Excel存成了数字（科学计数法），后几位已丢失，请把该列设为文本后重新录入原号码"
STORED_AS_INT = "证件号码被存成了数字而不是文本，可能已被Excel改动（如末几位变成0），请把该列设为文本后重新录入原号码"


class InvalidIdNumber(ValueError):
    """A number we refuse; `reason` says why in Chinese, `value` is the input as given (as text)."""

    def __init__(self, reason: str, value: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.value = value


@dataclass(frozen=True)
class IdInfo:
    number: str
    kind: str
    resident_id: str
    birth_date: date
    sex: str  # GB/T 2261.1: "1" male, "2" female
    area_code: str
    disability_category: str | None
    disability_level: str | None


def normalize_id_number(raw) -> str:
    """Undo what copying from Word, WeChat or a full-width input method does: spaces, full-width digits, 'x'."""
    text = "" if raw is None else str(raw)
    while True:
        # Repeat until stable: dropping a space can let a combining mark recompose under NFKC.
        cleaned = "".join(unicodedata.normalize("NFKC", text).split()).replace("x", "X")
        if cleaned == text:
            return cleaned
        text = cleaned


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not _DIGITS.fullmatch(first17):
        raise ValueError(f"需要17位数字，得到“{first17}”")
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def check_codes(digits):
    """check_char for many numbers at once: an (n, 17) array of digit values 0–9 → the check characters as ASCII
    codes, an (n,) uint8 array. numpy is imported here only: the checks of one number need nothing beyond the
    standard library."""
    import numpy as np

    codes = np.frombuffer(CHECK_CHARS.encode("ascii"), dtype=np.uint8)
    return codes[(np.asarray(digits, dtype=np.int64) @ np.array(WEIGHTS, dtype=np.int64)) % 11]


def parse_id_number(raw, today: date | None = None) -> IdInfo:
    """Validate and take apart a 15/18-digit ID or a 20/22-digit disability-certificate number."""
    today = date.today() if today is None else today
    value = "" if raw is None else str(raw)

    def refuse(reason: str) -> InvalidIdNumber:
        return InvalidIdNumber(reason, value)

    number = normalize_id_number(raw)
    if not number:
        raise refuse("证件号码为空")
    # Never guess the lost digits: a number-typed value may already have been rounded.
    if isinstance(raw, numbers.Number):
        raise refuse(STORED_AS_INT if isinstance(raw, numbers.Integral) else STORED_AS_FLOAT)
    if _EXCEL_NUMBER.fullmatch(number):
        raise refuse(STORED_AS_FLOAT)

    bad = [ch for i, ch in enumerate(number) if not ("0" <= ch <= "9" or (ch == "X" and i == 17))]
    if bad:
        shown = "、".join(f"“{ch if ch.isprintable() else f'U+{ord(ch):04X}'}”" for ch in dict.fromkeys(bad))
        hint = "（X只能作为第18位校验码）" if "X" in bad else ""
        raise refuse(f"证件号码含有非法字符{shown}{hint}")
    kind = KINDS.get(len(number))
    if kind is None:
        raise refuse(f"证件号码应为18位（或15位旧号、20/22位残疾人证号），实际为{len(number)}位")

    resident = number[:15] if kind == "legacy15" else number[:18]
    if resident[:2] not in PROVINCE_CODES:
        raise refuse(f"前两位“{resident[:2]}”不是有效的省级行政区划代码")

    born = "19" + resident[6:12] if kind == "legacy15" else resident[6:14]
    try:
        birth_date = date(int(born[:4]), int(born[4:6]), int(born[6:]))
    except ValueError:
        raise refuse(f"出生日期“{born}”不是有效日期") from None
    if birth_date > today:
        raise refuse(f"出生日期“{born}”晚于今天（{today:%Y%m%d}）")
    if birth_date < EARLIEST_BIRTH:
        raise refuse(f"出生日期“{born}”早于1900年1月1日，过早，不是可信的出生日期")

    if kind != "legacy15":
        expected = check_char(resident[:17])
        if resident[17] != expected:
            reason = f"校验码错误：应为“{expected}”，实际为“{resident[17]}”"
            if resident.endswith("000"):
                reason += "；末三位为000，疑似被Excel截断（Excel只保留15位有效数字），请把该列设为文本后重新录入原号码"
            raise refuse(reason)

    category = level = None
    if kind.startswith("disability"):
        category, level = number[18], number[19]
        if category not in DISABILITY_CATEGORIES:
            raise refuse(f"残疾人证号第19位残疾类别“{category}”无效，应为1–7")
        if level not in DISABILITY_LEVELS:
            raise refuse(f"残疾人证号第20位残疾等级“{level}”无效，应为1–4")

    sequence_last = resident[16] if len(resident) == 18 else resident[14]
    return IdInfo(
        number=number,
        kind=kind,
        resident_id=resident,
        birth_date=birth_date,
        sex="1" if int(sequence_last) % 2 else "2",
        area_code=number[:6],
        disability_category=category,
        disability_level=level,
    )


def is_valid_id_number(raw, today: date | None = None) -> bool:
    try:
        parse_id_number(raw, today)
    except InvalidIdNumber:
        return False
    return True


def upgrade_15_to_18(id15: str) -> str:
    """The 18-digit form of a legacy number; refuses anything that is not a valid 15-digit ID, so a
    checksum is never stamped onto a bad number."""
    info = parse_id_number(id15)
    if info.kind != "legacy15":
        raise InvalidIdNumber(f"不是15位旧身份证号码（实际为{len(info.number)}位）", str(id15))
    first17 = info.number[:6] + "19" + info.number[6:]
    return first17 + check_char(first17)
