"""GB 11643 ID numbers: hand-computed examples, every refusal reason, date boundaries, and checksum properties."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.registry.idcard import (
    PROVINCE_CODES,
    IdInfo,
    InvalidIdNumber,
    check_char,
    check_codes,
    is_valid_id_number,
    normalize_id_number,
    parse_id_number,
    upgrade_15_to_18,
)

TODAY = date(2024, 6, 15)

# Weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; S mod 11 -> "10X98765432".
# 11010519491231002: 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167, 167 mod 11 = 2 -> "X"
WOMAN_1949 = "11010519491231002X"
# 11010519900307123: 7+9+0+5+0+20+2+9+54+0+0+27+0+35+8+8+6 = 190, 190 mod 11 = 3 -> "9"
MAN_1990 = "110105199003071239"
# 44010620000229001: 28+36+0+5+0+24+4+0+0+0+0+18+20+45+0+0+2 = 182, 182 mod 11 = 6 -> "6"
MAN_LEAP_DAY = "440106200002290016"
# 11010519900307100: 7+9+0+5+0+20+2+9+54+0+0+27+0+35+8+0+0 = 176, 176 mod 11 = 0 -> "1"
EXCEL_TRUNCATED = "110105199003071000"


def parse(raw, today=TODAY):
    return parse_id_number(raw, today=today)


def reason(raw, today=TODAY):
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(raw, today=today)
    return caught.value.reason


def with_check(first17):
    """Lets date-boundary tests build valid numbers; check_char itself is pinned by hand values below."""
    return first17 + check_char(first17)


@pytest.mark.parametrize(
    "first17, expected",
    [("11010519491231002", "X"), ("11010519900307123", "9"), ("44010620000229001", "6"), ("11010519900307100", "1")],
)
def test_check_char_matches_hand_computation(first17, expected):
    assert check_char(first17) == expected


@pytest.mark.parametrize("bad", ["1101051949123100", "110105194912310021", "1101051949123100X"])
def test_check_char_needs_17_digits(bad):
    with pytest.raises(ValueError):
        check_char(bad)


def test_resident18_woman_with_x_check_char():
    assert parse(WOMAN_1949) == IdInfo(
        number=WOMAN_1949,
        kind="resident18",
        resident_id=WOMAN_1949,
        birth_date=date(1949, 12, 31),
        sex="2",
        area_code="110105",
        disability_category=None,
        disability_level=None,
    )


def test_resident18_man_odd_sequence():
    info = parse(MAN_1990)
    assert (info.sex, info.birth_date, info.area_code) == ("1", date(1990, 3, 7), "110105")


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 110105 19491231 002x\t",
        "１１０１０５１９４９１２３１００２ｘ",
        "１１０１０５　１９４９１２３１　００２Ｘ",
    ],
)
def test_lowercase_spaces_and_full_width_are_normalized(raw):
    assert normalize_id_number(raw) == WOMAN_1949
    assert parse(raw).number == WOMAN_1949


def test_legacy15_is_read_as_19xx_and_upgrades():
    info = parse("110105491231002")
    assert (info.kind, info.resident_id, info.birth_date, info.sex) == (
        "legacy15",
        "110105491231002",
        date(1949, 12, 31),
        "2",
    )
    assert upgrade_15_to_18("110105491231002") == WOMAN_1949
    assert upgrade_15_to_18("110105900307123") == MAN_1990


@pytest.mark.parametrize("bad", [WOMAN_1949, "990105491231002", "110105490230002"])
def test_upgrade_refuses_anything_but_a_valid_legacy_number(bad):
    with pytest.raises(InvalidIdNumber):
        upgrade_15_to_18(bad)


def test_disability20_and_22():
    info20 = parse(WOMAN_1949 + "42")
    assert (info20.kind, info20.resident_id, info20.disability_category, info20.disability_level) == (
        "disability20",
        WOMAN_1949,
        "4",
        "2",
    )
    info22 = parse(MAN_1990.lower() + "7101")
    assert (info22.kind, info22.resident_id, info22.sex) == ("disability22", MAN_1990, "1")
    assert (info22.disability_category, info22.disability_level) == ("7", "1")


@pytest.mark.parametrize(
    "raw, fact",
    [
        (WOMAN_1949 + "02", "残疾类别“0”"),
        (WOMAN_1949 + "82", "残疾类别“8”"),
        (WOMAN_1949 + "40", "残疾等级“0”"),
        (WOMAN_1949 + "4500", "残疾等级“5”"),
        ("11010519491231002142", "应为“X”，实际为“1”"),  # the inner resident ID is checked in full
        ("11010519490231002X42", "出生日期“19490231”不是有效日期"),
    ],
)
def test_disability_refusals(raw, fact):
    assert fact in reason(raw)


@pytest.mark.parametrize("raw", ["", "   ", None, "\u3000"])
def test_empty(raw):
    assert reason(raw) == "证件号码为空"


@pytest.mark.parametrize(
    "raw", ["1.10105E+17", "1.10105e17", "1.10105E17", "110105199003071234.0", "１.１０１０５Ｅ＋１７"]
)
def test_excel_text_refused_as_number(raw):
    assert "Excel存成了数字" in reason(raw)


@pytest.mark.parametrize("raw", [110105194912310021, 110105491231002, 1.10105194912310e17])
def test_number_typed_input_refused_never_guessed(raw):
    assert "存成了数字" in reason(raw)
    assert not is_valid_id_number(raw, today=TODAY)


def test_exception_keeps_raw_value():
    with pytest.raises(InvalidIdNumber) as caught:
        parse(" 1.10105E+17 ")
    assert caught.value.value == " 1.10105E+17 "
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == caught.value.reason


def test_excel_truncated_number_gets_hint():
    text = reason(EXCEL_TRUNCATED)
    assert "应为“1”，实际为“0”" in text
    assert "疑似被Excel截断" in text


@pytest.mark.parametrize("length", [1, 14, 16, 17, 19, 21, 23])
def test_wrong_length(length):
    assert reason("1" * length) == f"证件号码应为18位（或15位旧号、20/22位残疾人证号），实际为{length}位"


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("1101051949-12310021", "“-”"),
        ("11010519491231002Y", "“Y”"),
        ("X10105194912310021", "“X”（X只能作为第18位校验码）"),
        ("11010519491231002X4X", "“X”（X只能作为第18位校验码）"),
        ("\ufeff110105194912310021", "“U+FEFF”"),
        ("1101051949-1231002X", "“-”、“X”（X只能作为第18位校验码）"),  # the dash pushed X out of place
    ],
)
def test_illegal_characters(raw, shown):
    assert reason(raw) == f"证件号码含有非法字符{shown}"


def test_characters_are_checked_before_length():
    assert "非法字符“A”" in reason("A")


@pytest.mark.parametrize("province", ["99", "00", "10", "83", "47", "72"])
def test_bad_province(province):
    assert reason(province + WOMAN_1949[2:]) == f"前两位“{province}”不是有效的省级行政区划代码"


@pytest.mark.parametrize("province", ["71", "81", "82", "65", "50"])
def test_edge_provinces_accepted(province):
    assert parse(with_check(province + "010519491231002")).area_code == province + "0105"


def test_province_is_checked_before_date_and_date_before_check_char():
    assert "前两位“99”" in reason("990105199902300000")
    assert reason("110105199902300000") == "出生日期“19990230”不是有效日期"
    assert reason("110105990230002") == "出生日期“19990230”不是有效日期"


@pytest.mark.parametrize("born", ["20000229", "19960229"])
def test_feb_29_on_leap_years(born):
    assert parse(with_check("110105" + born + "001")).birth_date == date(int(born[:4]), 2, 29)


@pytest.mark.parametrize("born", ["19000229", "20010229", "20011301", "20010100", "00000101"])
def test_impossible_dates(born):
    assert reason("110105" + born + "0010") == f"出生日期“{born}”不是有效日期"


def test_birth_today_accepted_tomorrow_refused():
    assert parse(with_check("110105" + "20240615" + "001")).birth_date == TODAY
    assert reason("110105" + "20240616" + "0010") == "出生日期“20240616”晚于今天（20240615）"


def test_today_defaults_to_the_real_date():
    born_tomorrow = (date.today() + timedelta(days=1)).strftime("%Y%m%d")
    assert "晚于今天" in reason(with_check("110105" + born_tomorrow + "001"), today=None)


def test_1900_boundary():
    assert parse(with_check("11010519000101001")).birth_date == date(1900, 1, 1)
    assert "早于1900年1月1日" in reason(with_check("11010518991231001"))


def test_wrong_check_char_reason():
    assert reason("110105194912310021") == "校验码错误：应为“X”，实际为“1”"
    assert reason("11010519900307123X") == "校验码错误：应为“9”，实际为“X”"
    assert parse(MAN_LEAP_DAY).birth_date == date(2000, 2, 29)


@st.composite
def first17s(draw):
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    rest_of_area = draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return f"{province}{rest_of_area}{born:%Y%m%d}{sequence}", born, sequence


@given(first17s())
def test_only_the_computed_check_char_parses(drawn):
    first17, born, sequence = drawn
    right = check_char(first17)
    info = parse(first17 + right)
    assert (info.birth_date, info.sex) == (born, "1" if int(sequence[-1]) % 2 else "2")
    for wrong in set("0123456789X") - {right}:
        assert f"校验码错误：应为“{right}”，实际为“{wrong}”" in reason(first17 + wrong)


@given(st.lists(first17s(), min_size=1, max_size=20))
def test_the_vectorised_check_gives_check_char_for_each_number(drawn):
    first17 = [number for number, _born, _sequence in drawn]
    digits = [[int(d) for d in number] for number in first17]
    assert bytes(check_codes(digits)).decode() == "".join(check_char(number) for number in first17)


def test_the_vectorised_check_by_hand():
    assert bytes(check_codes([[int(d) for d in WOMAN_1949[:17]], [int(d) for d in MAN_1990[:17]]])) == b"X9"


@given(st.text())
def test_normalize_is_idempotent(text):
    once = normalize_id_number(text)
    assert normalize_id_number(once) == once
