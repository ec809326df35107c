"""Code lists of the registration and monitoring forms (DOMAIN.md §2), with their Chinese labels."""

import functools

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class HouseholdType(models.TextChoices):
    ORDINARY = "1", _("一般户")
    POOR = "2", _("贫困户")
    EXITED = "3", _("脱贫户")
    MONITORED = "4", _("监测户")


class Status(models.TextChoices):
    """The household's current standing, kept in step with its latest status event."""

    ORDINARY = "ordinary", _("一般农户")
    POOR = "poor", _("未脱贫")
    EXITED = "exited", _("已脱贫")
    MONITORED = "monitored", _("监测中")
    RISK_ELIMINATED = "risk_eliminated", _("风险已消除")
    REMOVED = "removed", _("已清退/销户")


class EventKind(models.TextChoices):
    IDENTIFIED = "identified", _("识别为贫困户")
    EXITED = "exited", _("脱贫退出")
    MONITORED = "monitored", _("纳入监测")
    RISK_ELIMINATED = "risk_eliminated", _("风险消除")
    RISK_REVERSED = "risk_reversed", _("撤销风险消除")
    RETURNED = "returned", _("返贫")
    REMOVED = "removed", _("清退/销户")
    MERGED = "merged", _("户合并/分户")


#: the status each event leaves the household in
STATUS_AFTER = {
    EventKind.IDENTIFIED: Status.POOR,
    EventKind.EXITED: Status.EXITED,
    EventKind.MONITORED: Status.MONITORED,
    EventKind.RISK_ELIMINATED: Status.RISK_ELIMINATED,
    EventKind.RISK_REVERSED: Status.MONITORED,
    EventKind.RETURNED: Status.POOR,
    EventKind.REMOVED: Status.REMOVED,
}


class MemberEventKind(models.TextChoices):
    """A change in who belongs to a household (成员变动). Each either brings the member in or takes them out."""

    BIRTH = "birth", _("出生")
    DEATH = "death", _("死亡")
    MOVE_IN = "move_in", _("迁入")
    MOVE_OUT = "move_out", _("迁出")
    MARRY_IN = "marry_in", _("婚入")
    MARRY_OUT = "marry_out", _("婚出")
    SPLIT_OUT = "split_out", _("分户迁出")
    MERGE_IN = "merge_in", _("合户迁入")


#: member events after which the member belongs to the household; the others take them out of it
MEMBER_JOINS = frozenset(
    {MemberEventKind.BIRTH, MemberEventKind.MOVE_IN, MemberEventKind.MARRY_IN, MemberEventKind.MERGE_IN}
)


class VillageEventKind(models.TextChoices):
    """A village's poverty standing over time (贫困村、深度贫困村、出列、有扶贫任务的村)."""

    POOR = "poor", _("识别为贫困村")
    DEEP = "deep", _("列为深度贫困村")
    EXITED = "exited", _("贫困村出列")
    TASKED = "tasked", _("列为有扶贫任务的村")


class VillageStanding(models.TextChoices):
    """Where a village stands on a date, from its events (registry.services.villages.villages_as_of)."""

    NONE = "none", _("非贫困村")
    TASKED = "tasked", _("有扶贫任务的村")
    POOR = "poor", _("贫困村（未出列）")
    DEEP = "deep", _("深度贫困村（未出列）")
    EXITED = "exited", _("贫困村（已出列）")


#: a village's standing: its latest poor / deep / exited event (tasked is a mark beside it and changes nothing)
VILLAGE_STANDING_KINDS = frozenset({VillageEventKind.POOR, VillageEventKind.DEEP, VillageEventKind.EXITED})

#: the standings (None: no standing event yet) from which each village event may be recorded — one table for the
#: import and the one-event service: poor from nothing, deep only for a poor village, exited only after poor (or
#: deep), tasked at any time. Beside it both refuse an event of a kind the village already has (no event twice).
VILLAGE_EVENT_FROM = {
    VillageEventKind.POOR: frozenset({None}),
    VillageEventKind.DEEP: frozenset({VillageEventKind.POOR}),
    VillageEventKind.EXITED: frozenset({VillageEventKind.POOR, VillageEventKind.DEEP}),
    VillageEventKind.TASKED: frozenset({None, VillageEventKind.POOR, VillageEventKind.DEEP, VillageEventKind.EXITED}),
}


class MonitoringCategory(models.TextChoices):
    UNSTABLE = "1", _("脱贫不稳定户")
    MARGINAL = "2", _("边缘易致贫户")
    SUDDEN = "3", _("突发严重困难户")


class PovertyCause(models.TextChoices):
    ILLNESS = "01", _("因病")
    DISABILITY = "02", _("因残")
    SCHOOLING = "03", _("因学")
    DISASTER = "04", _("因灾")
    LAND = "05", _("缺土地")
    WATER = "06", _("缺水")
    SKILLS = "07", _("缺技术")
    LABOUR = "08", _("缺劳动力")
    CAPITAL = "09", _("缺资金")
    TRANSPORT = "10", _("交通条件落后")
    MOTIVATION = "11", _("自身发展动力不足")


class RiskType(models.TextChoices):
    ILLNESS = "01", _("因病")
    FLOOD = "0201", _("因自然灾害（洪涝）")
    GEOLOGICAL = "0202", _("因自然灾害（地质灾害）")
    DROUGHT = "0203", _("因自然灾害（干旱）")
    BIOLOGICAL = "0204", _("因自然灾害（生物灾害）")
    METEOROLOGICAL = "0205", _("因自然灾害（气象灾害）")
    EARTHQUAKE = "0206", _("因自然灾害（地震）")
    DISASTER_OTHER = "0299", _("因自然灾害（其他）")
    DISABILITY = "03", _("因残")
    LABOUR = "04", _("因缺劳动力")
    ACCIDENT = "05", _("因意外事故")
    BUSINESS_FAILURE = "06", _("因产业失败")
    UNSTABLE_WORK = "07", _("因务工就业不稳")
    SCHOOLING = "09", _("因学")
    OTHER = "99", _("其他")


class RiskEliminationWay(models.TextChoices):
    ASSISTED = "1", _("帮扶消除")
    NATURAL = "2", _("自然消除")


class HousingSafety(models.TextChoices):
    SAFE = "1", _("安全")
    GRADE_C = "2", _("C级危房")
    GRADE_D = "3", _("D级危房")


class RoadType(models.TextChoices):
    HARDENED = "1", _("水泥/沥青路")
    GRAVEL = "2", _("砂石路")
    DIRT = "3", _("土路")
    NONE = "4", _("未通路")


class Sex(models.TextChoices):
    MALE = "1", _("男")
    FEMALE = "2", _("女")


class IdType(models.TextChoices):
    RESIDENT = "1", _("居民身份证")
    DISABILITY = "2", _("残疾人证")
    HOUSEHOLD_BOOK = "3", _("户口簿")
    OTHER = "9", _("其他")


class Relation(models.TextChoices):
    HEAD = "01", _("户主")
    SPOUSE = "02", _("配偶")
    CHILD = "03", _("子女")
    CHILD_IN_LAW = "04", _("儿媳/女婿")
    GRANDCHILD = "05", _("孙辈")
    PARENT = "06", _("父母")
    GRANDPARENT = "07", _("祖父母")
    SIBLING = "08", _("兄弟姐妹")
    OTHER = "99", _("其他")


class Education(models.TextChoices):
    ILLITERATE = "1", _("文盲或半文盲")
    PRIMARY = "2", _("小学")
    JUNIOR = "3", _("初中")
    SENIOR = "4", _("高中")
    COLLEGE = "5", _("大专及以上")
    PRESCHOOL = "6", _("学龄前儿童")


class SchoolStatus(models.TextChoices):
    NOT_STUDENT = "0", _("非在校生")
    PRESCHOOL = "1", _("学前教育")
    PRIMARY = "2", _("小学")
    JUNIOR = "3", _("七年级至九年级")
    SENIOR = "4", _("高中")
    VOCATIONAL = "5", _("中职")
    HIGHER = "6", _("高职高专及以上")
    OUT_OF_SCHOOL = "9", _("义务教育阶段失学辍学")


class Health(models.TextChoices):
    HEALTHY = "01", _("健康")
    CHRONIC = "02", _("长期慢性病")
    SERIOUS = "03", _("大病")
    DISABLED = "04", _("残疾")


class LabourCapacity(models.TextChoices):
    ORDINARY = "01", _("普通劳动力")
    SKILLED = "02", _("技能劳动力")
    LOST = "03", _("丧失劳动力")
    NONE = "04", _("无劳动力")
    WEAK = "05", _("弱劳动力或半劳动力")


class Ethnicity(models.TextChoices):
    HAN = "01", _("汉族")
    MONGOL = "02", _("蒙古族")
    HUI = "03", _("回族")
    TIBETAN = "04", _("藏族")
    UYGHUR = "05", _("维吾尔族")
    MIAO = "06", _("苗族")
    YI = "07", _("彝族")
    ZHUANG = "08", _("壮族")
    BUYI = "09", _("布依族")
    OTHER = "99", _("其他民族")


@functools.cache
def _labels(field, language: str) -> dict:
    """A field's code → label, in `language` (the active one when first asked)."""
    return {code: str(label) for code, label in field.flatchoices}


class CodeLabels:
    """get_FOO_display from one dict per field and language. Django's own rebuilds the field's choices and
    translates every label on each call: a third of the API's 50-row household list (its `labels`), a sixth of
    the list page (bench/bench_http.py)."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            return _labels(field, get_language()).get(value, value)
        except TypeError:  # an unhashable value: Django's way
            return super()._get_FIELD_display(field)
