"""The name tables: surnames, given-name characters, place-name syllables, work places, phone and bank prefixes.

Apart from the generation so that the tables can be read (and corrected) as tables; the demo county is fictional,
but its names, places and numbers should look like a Shanxi county's.
"""

from __future__ import annotations

import numpy as np

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜"
    "戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
#: Zipf-like, roughly as in China: 王 about 6 %, 刘 4 %, the hundredth 0.3 %
SURNAME_P = 1.0 / np.arange(5, len(SURNAMES) + 5)
SURNAME_P /= SURNAME_P.sum()
MALE_CHARS = "伟强军明建国华平刚勇志海林峰斌波杰涛鹏磊超文亮宏东兵虎龙福贵生宝山春成忠德"
FEMALE_CHARS = "芳娟敏静丽艳霞燕玲琴红梅兰英秀凤萍娜婷雪慧翠花桂珍云莲香月巧玉彩荣"
VILLAGE_HEADS = "东西南北上下前后大小石柳杨杏桃枣松柏龙凤马牛金银白黑红青黄高平安和兴丰清王张李赵刘陈郭"
VILLAGE_TAILS = (
    "家庄",
    "家沟",
    "家峪",
    "家坪",
    "家堡",
    "家岭",
    "家河",
    "家洼",
    "家湾",
    "家营",
    "庄",
    "沟",
    "峪",
    "坪",
    "堡",
    "岭",
    "河",
    "洼",
    "湾",
    "寨",
    "坡",
    "塬",
    "头",
    "口",
)
TOWNSHIP_HEADS = "东西南北安和兴丰清永宁太长高新平古龙凤石柳杨金银"
TOWNSHIP_TAILS = ("城", "关", "河", "山", "坪", "峪", "口", "庄", "川", "泉", "阳", "源")
GROUP_NAMES = tuple(f"{n}组" for n in "一二三四五六七八九十") + tuple(f"十{n}组" for n in "一二三四五六七八九")
WORK_PLACES = (
    "本县",
    "本县",
    "本市",
    "太原市",
    "晋城市",
    "长治市",
    "北京市",
    "天津市",
    "石家庄市",
    "郑州市",
    "西安市",
    "鄂尔多斯市",
    "苏州市",
    "深圳市",
)
PHONE_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        134,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        153,
        155,
        156,
        157,
        158,
        159,
        180,
        181,
        182,
        183,
        184,
        185,
        186,
        187,
        188,
        189,
    ]
)
BANK_PREFIXES = np.array([6217, 6228, 6230])


def place_names(rng, heads: str, tails, count: int, suffix: str) -> list[str]:
    """`count` place names from head × tail syllables (distinct while there are enough pairs)."""
    picks = rng.choice(len(heads) * len(tails), size=count, replace=count > len(heads) * len(tails))
    return [heads[p // len(tails)] + tails[p % len(tails)] + suffix for p in picks]


def _given_names(chars: str) -> tuple[np.ndarray, int]:
    """The single characters, then every pair of them; and how many singles lead the array."""
    pairs = [a + b for a in chars for b in chars]
    return np.array(list(chars) + pairs, dtype=object), len(chars)


MALE_GIVEN, MALE_SINGLES = _given_names(MALE_CHARS)
FEMALE_GIVEN, FEMALE_SINGLES = _given_names(FEMALE_CHARS)
SURNAME_CHARS = np.array(list(SURNAMES), dtype=object)
