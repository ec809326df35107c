"""The supervision app's code lists: where a problem came from, where it stands and the steps it takes; the kinds of
checking team, the populations a spot check samples, the checklist items and their outcomes; the bulletins and the
indicators they rank on. Codes are stored; labels are gettext (Chinese first)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProblemSource(models.TextChoices):
    NATIONAL = "national", _("国家考核评估")
    PROVINCIAL = "provincial", _("省级考核评估")
    INSPECTION = "inspection", _("督查巡查")
    AUDIT = "audit", _("审计")
    THIRD_PARTY = "third_party", _("第三方评估")
    PETITION = "petition", _("信访举报")
    SELF_CHECK = "self_check", _("自查")
    SPOT_CHECK = "spot_check", _("抽查")
    DATA_CHECK = "data_check", _("数据比对")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("整改中")
    SUBMITTED = "submitted", _("待核查")
    CLOSED = "closed", _("已销号")
    STANDING = "standing", _("长期整改")


class ProblemStep(models.TextChoices):
    FILED = "filed", _("登记")
    CLAIMED = "claimed", _("认领")
    RECTIFIED = "rectified", _("提交整改")
    CHECK_PASSED = "check_passed", _("核查通过")
    CHECK_FAILED = "check_failed", _("核查未通过")
    CLOSED = "closed", _("销号")
    KEPT_OPEN = "kept_open", _("保留整改（建章立制）")
    ESCALATED = "escalated", _("逾期升级")
    REOPENED = "reopened", _("复发重开")


#: a new county's problem kinds (问题类别) until it edits its own list (ProblemKind rows)
DEFAULT_KINDS = ("精准识别", "精准退出", "帮扶措施", "资金项目", "三保障和饮水安全", "数据质量", "作风")


class TeamKind(models.TextChoices):
    PHONE = "phone", _("电话抽查组")
    UNDERCOVER = "undercover", _("暗访组")
    INSPECTION = "inspection", _("督查组")


class Population(models.TextChoices):
    """Which households a sampling plan draws from (their current standing)."""

    EXITED = "exited", _("脱贫户")
    ORDINARY = "ordinary", _("一般农户")
    MONITORED = "monitored", _("监测户")
    POOR = "poor", _("未脱贫户")
    ALL = "all", _("全部农户")


class CheckItem(models.TextChoices):
    """A checklist item; `fail` means the item is wrong for the household (an error, or not satisfied)."""

    IDENTITY = "identity", _("身份信息准确")
    INCOME = "income", _("收入核算准确")
    GUARANTEES = "guarantees", _("“三保障”和饮水安全")
    VISITED = "visited", _("帮扶干部走访")
    MEASURES = "measures", _("帮扶措施落实")
    WRONG_EXIT = "wrong_exit", _("错退")
    MISSED = "missed", _("漏评")
    SATISFIED = "satisfied", _("群众认可")


#: the items whose failure rate the county exit reads: 错退率 and 漏评率 (below 2 %), and 群众认可度 = 1 − the
#: failure rate of SATISFIED (above 90 %)
EXIT_RATE_ITEMS = (CheckItem.WRONG_EXIT, CheckItem.MISSED, CheckItem.SATISFIED)


class Outcome(models.TextChoices):
    PASS = "pass", _("符合")
    FAIL = "fail", _("不符合")
    NOT_APPLICABLE = "na", _("不适用")


class CheckStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待抽查")
    DONE = "done", _("已完成")
    UNREACHABLE = "unreachable", _("无法联系")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    DRAWN = "drawn", _("已抽样")
    CLOSED = "closed", _("已结束")


class BulletinKind(models.TextChoices):
    DAILY = "daily", _("每日通报")
    WEEKLY = "weekly", _("每周排名")
    MONTHLY = "monthly", _("每月总结")


class Indicator(models.TextChoices):
    PROBLEMS_OVERDUE = "problems_overdue", _("逾期未整改问题")
    CLOSED_ON_TIME = "closed_on_time", _("按期销号率")
    CHECK_ERROR_RATE = "check_error_rate", _("抽查差错率")
    VISITS = "visits", _("入户走访次数")
    CASE_DEADLINES_MET = "case_deadlines_met", _("监测事项按期办结率")
    DISBURSEMENT_RATE = "disbursement_rate", _("资金支出进度")
