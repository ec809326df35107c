"""Code lists of monitoring: channels, the procedure's steps, decisions and the departments that send data.

The procedure is data (PROCEDURES): which steps a case of each kind goes through, in order, who may take each step,
and the policy-pack parameter holding each step's deadline. Services read these tables; nothing else lists steps.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.accounts.roles import Role


class Channel(models.TextChoices):
    """Where a clue (线索) came from (DOMAIN.md §4: 农户自主申报、基层干部排查、部门筛查预警; and the policy engine)."""

    SELF_REPORT = "self_report", _("农户自主申报")
    CADRE_VISIT = "cadre_visit", _("基层干部排查")
    DEPARTMENT = "department", _("部门筛查预警")
    SYSTEM = "system", _("系统筛查")


class ReportVia(models.TextChoices):
    """How a household's own application reached the clerk who records it."""

    IN_PERSON = "in_person", _("当面申请")
    HOTLINE = "hotline", _("12317 热线")
    APP = "app", _("手机应用")


class ClueState(models.TextChoices):
    PENDING = "pending", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")


class CaseKind(models.TextChoices):
    IDENTIFY = "identify", _("监测对象识别")
    ELIMINATE = "eliminate", _("风险消除")


class CaseState(models.TextChoices):
    OPEN = "open", _("办理中")
    APPROVED = "approved", _("已办结（通过）")
    REJECTED = "rejected", _("已办结（不通过）")


class StepCode(models.TextChoices):
    VERIFY = "verify", _("入户核实")
    CROSSCHECK = "crosscheck", _("县级信息比对")
    REVIEW = "review", _("村级民主评议")
    NOTICE = "notice", _("村内公示")
    TOWNSHIP = "township", _("乡镇审核")
    COUNTY = "county", _("县级审批")
    ANNOUNCE = "announce", _("结果公告")
    ENTER = "enter", _("录入系统")


class Decision(models.TextChoices):
    PASS = "pass", _("通过")
    REJECT = "reject", _("不通过（办结）")
    BACK = "back", _("退回上一步")


class EvidenceKind(models.TextChoices):
    SURVEY = "survey", _("防止返贫动态监测排查表")
    CONSENT = "consent", _("承诺授权书")
    CROSSCHECK = "crosscheck", _("部门比对结果")
    MINUTES = "minutes", _("民主评议记录")
    NOTICE_PHOTO = "notice_photo", _("公示照片")
    OTHER = "other", _("其他材料")


class NoticeKind(models.TextChoices):
    VILLAGE = "village", _("村内公示")
    ANNOUNCEMENT = "announcement", _("结果公告")


class Department(models.TextChoices):
    """The departments whose data warn of a risk (DOMAIN.md §8), one dataset kind each."""

    MEDICAL = "medical", _("医保")
    CIVIL = "civil", _("民政")
    DISABILITY = "disability", _("残联")
    EDUCATION = "education", _("教育")
    LABOUR = "labour", _("人社")
    POLICE = "police", _("公安")
    EMERGENCY = "emergency", _("应急管理")
    HOUSING = "housing", _("住建")


@dataclass(frozen=True)
class StepRule:
    """One step of a procedure: who may take it and the pack parameter holding its deadline (in days)."""

    code: StepCode
    roles: frozenset
    deadline_param: str


_VILLAGE = frozenset({Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY_ADMIN})
_TOWNSHIP = frozenset({Role.TOWNSHIP, Role.COUNTY_ADMIN})
_COUNTY = frozenset({Role.COUNTY_ADMIN})

#: the statutory procedure of each kind of case, in order (DOMAIN.md §4 and §8). A clerk above the step's own level
#: may take it for a village or township of his area (a county clerk records a township's review it phoned in).
PROCEDURES = {
    CaseKind.IDENTIFY: (
        StepRule(StepCode.VERIFY, _VILLAGE, "deadline_verify_days"),
        StepRule(StepCode.CROSSCHECK, _COUNTY, "deadline_crosscheck_days"),
        StepRule(StepCode.REVIEW, _VILLAGE, "deadline_review_days"),
        StepRule(StepCode.NOTICE, _VILLAGE, "deadline_notice_days"),
        StepRule(StepCode.TOWNSHIP, _TOWNSHIP, "deadline_township_days"),
        StepRule(StepCode.COUNTY, _COUNTY, "deadline_county_days"),
        StepRule(StepCode.ANNOUNCE, _VILLAGE, "deadline_announce_days"),
        StepRule(StepCode.ENTER, _COUNTY, "deadline_enter_days"),
    ),
    CaseKind.ELIMINATE: (
        StepRule(StepCode.VERIFY, _VILLAGE, "deadline_verify_days"),
        StepRule(StepCode.REVIEW, _VILLAGE, "deadline_review_days"),
        StepRule(StepCode.NOTICE, _VILLAGE, "deadline_notice_days"),
        StepRule(StepCode.TOWNSHIP, _TOWNSHIP, "deadline_township_days"),
        StepRule(StepCode.COUNTY, _COUNTY, "deadline_county_days"),
        StepRule(StepCode.ANNOUNCE, _VILLAGE, "deadline_announce_days"),
        StepRule(StepCode.ENTER, _COUNTY, "deadline_enter_days"),
    ),
}

#: who may accept or reject a clue: the township must (DOMAIN.md §8); the county may for any township of its own
CLUE_DECIDERS = _TOWNSHIP
#: who may record a clue: village and township clerks, the county, and a department (its data's clues)
CLUE_RECORDERS = frozenset({Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY_ADMIN, Role.DEPARTMENT, Role.CADRE})


# ------------------------------------------------------------------------------------------------------------------
# Department data: what each department's row says, and when it warns (DOMAIN.md §4 and §8)
# ------------------------------------------------------------------------------------------------------------------

#: the risk type (registry.codes.RiskType, 2021+) a department's warning stands for. 应急 gives its own 02xx from
#: the row's 灾害类型; 民政's new assistance and 住建's unsafe housing have no national risk type of their own (99).
#: 公安: the death of a member with labour capacity takes the household's labour (04 因缺劳动力); whether it was an
#: accident (05) the data does not say, so the home visit records it.
DEPARTMENT_RISK = {
    Department.MEDICAL: "01",
    Department.CIVIL: "99",
    Department.DISABILITY: "03",
    Department.EDUCATION: "09",
    Department.LABOUR: "07",
    Department.POLICE: "04",
    Department.EMERGENCY: "0299",
    Department.HOUSING: "99",
}


@dataclass(frozen=True)
class Indicator:
    """One warning a department's row can give. `test` says how the column's canonical value is judged:

    above   a number above the pack parameter `param` (for a medical burden: `param` for members of poor, exited,
            monitored and low-income households, `param_general` for others)
    at_least  a number at or above `param`
    at_most   a number at or below `param` (a disability grade: 1 is the most severe)
    one_of  a code among `values`
    given   any value (a date of death, a new assistance approval)
    The first indicator of its department that fires names the clue's fingerprint."""

    name: str
    column: str
    test: str
    param: str = ""
    param_general: str = ""
    values: tuple = ()
    label: object = ""
    labour_only: bool = False  # only a member with labour capacity (公安: a death of a working member)


INDICATORS = {
    Department.MEDICAL: (
        Indicator(
            "burden", "burden", "above", "medical_burden_low_income", "medical_burden_general", label=_("个人负担")
        ),
        Indicator("stay", "hospital_cost", "above", "medical_hospital_stay", label=_("住院费用")),
    ),
    Department.CIVIL: (Indicator("assistance", "assistance", "given", label=_("新增救助")),),
    Department.DISABILITY: (
        Indicator("severe", "disability_level", "at_most", "disability_severe_level", label=_("残疾等级")),
    ),
    Department.EDUCATION: (
        Indicator("not_enrolled", "enrolment", "one_of", values=("dropped", "not_enrolled"), label=_("学籍状态")),
    ),
    Department.LABOUR: (
        Indicator("unemployed", "unemployed", "one_of", values=("true",), label=_("失业登记")),
        Indicator("uninsured", "uninsured_months", "at_least", "months_without_insurance", label=_("断保月数")),
    ),
    Department.POLICE: (Indicator("death", "died_on", "given", label=_("死亡日期"), labour_only=True),),
    Department.EMERGENCY: (Indicator("loss", "loss", "above", "disaster_loss_threshold", label=_("损失")),),
    Department.HOUSING: (Indicator("unsafe", "housing_grade", "one_of", values=("C", "D"), label=_("危房等级")),),
}

#: member labour capacities that count as "working" (registry.codes.LabourCapacity: 普通、技能、弱劳动力)
WORKING_CAPACITIES = ("01", "02", "05")
