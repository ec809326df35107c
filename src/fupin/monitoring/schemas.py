"""The monitoring API's shapes: clues and cases as read (sensitive fields masked for every role), and the bodies
of the writes, each field with the title the forms give it."""

from datetime import date
from typing import Literal

from ninja import Field, Schema

from fupin.api_common import Input, Labelled, PageQuery, output_schema, page_of

from .codes import Decision, NoticeKind
from .models import Case, CaseStep, Clue


class RiskTyped(Labelled):
    risk_types: list[str] = Field(..., title="风险类型", description="风险类型代码（2021年起），主要的在前")


class Named(RiskTyped):
    """The household's number and head, as the inbox lists them (none for a person not yet registered)."""

    household_number: str | None = Field(None, title="户编号")
    head_name: str | None = Field(None, title="户主姓名")

    @staticmethod
    def resolve_household_number(obj):
        return obj.household.number if obj.household_id else None

    @staticmethod
    def resolve_head_name(obj):
        return obj.household.head_name if obj.household_id else None


class ClueBase(Named):
    description: str = Field(..., title="情况说明")


ClueOut = output_schema(
    Clue,
    "ClueOut",
    ("id", "village", "household", "person_name", "id_number", "phone", "channel", "via", "department",
     "reported_on", "accept_due", "state", "decided_on", "reject_reason"),
    base=ClueBase,
)  # fmt: skip


class Commented(Labelled):
    comment: str = Field(..., title="意见")


StepOut = output_schema(CaseStep, "StepOut", ("step", "decision", "acted_on", "due", "posted_on"), base=Commented)
CaseItem = output_schema(
    Case,
    "CaseItem",
    ("id", "village", "household", "clue", "kind", "risk_type", "category", "opened_on", "due_on",
     "step", "step_since", "step_due", "state", "closed_on", "close_reason"),
    base=Named,
)  # fmt: skip


class CaseOut(CaseItem):
    steps: list[StepOut] = Field(..., title="已办环节")

    @staticmethod
    def resolve_steps(case):
        return list(case.steps.order_by("id"))


CluePage = page_of(ClueOut, "CluePage")
CasePage = page_of(CaseItem, "CasePage")


class InboxQuery(PageQuery):
    box: str = Field(
        "",
        title="待办类别",
        description="clues、verify、notice、township、crosscheck、approve、overdue、open；默认为角色的第一类",
    )
    area: str = Field("", title="区划")
    kind: str = Field("", title="事项")
    step: str = Field("", title="当前环节")
    channel: str = Field("", title="发现渠道")
    overdue: str = Field("", title="逾期", description="1：仅逾期")


class ClueIn(Input):
    village: str = Field(..., title="行政村", max_length=12)
    household_id: int | None = Field(None, title="农户")
    person_name: str = Field("", title="申报人姓名", max_length=40)
    id_number: str = Field("", title="申报人证件号码", max_length=22)
    phone: str = Field("", title="联系电话", max_length=20)
    channel: str = Field(..., title="发现渠道")
    via_channel: str = Field("", title="申报方式")
    risk_types: list[str] = Field(..., title="风险类型")
    description: str = Field("", title="情况说明", max_length=2000)
    reported_on: date = Field(..., title="发现/申报日期")


class AcceptIn(Input):
    on: date = Field(..., title="受理日期")
    category: str = Field("", title="监测对象类别")


class RejectIn(Input):
    on: date = Field(..., title="受理日期")
    reason: str = Field(..., title="不予受理理由", max_length=200)


class ActIn(Input):
    step: str = Field(..., title="环节")
    decision: Literal[tuple(Decision.values)] = Field(..., title="结论")
    on: date = Field(..., title="办理日期")
    comment: str = Field("", title="意见", max_length=2000)


class NoticeIn(Input):
    village: str = Field(..., title="行政村", max_length=12)
    kind: Literal[tuple(NoticeKind.values)] = Field(..., title="公示类型")
    case_ids: list[int] = Field(..., title="公示的监测事项")
    posted_on: date = Field(..., title="张贴日期")
    contact: str = Field(..., title="异议受理联系人及电话", max_length=120)
    issuer: str = Field("", title="发布单位", max_length=60)


class NoticeOut(Schema):
    id: int
    village: str = Field(..., title="行政村", validation_alias="village_id")
    kind: str = Field(..., title="公示类型")
    posted_on: date = Field(..., title="张贴日期")
    objection_until: date | None = Field(None, title="异议期截止")
    contact: str = Field(..., title="异议受理联系人及电话")
    case_ids: list[int] = Field(..., title="公示的监测事项")

    @staticmethod
    def resolve_case_ids(notice):
        return sorted(notice.cases.values_list("pk", flat=True))


class EliminationIn(Input):
    households: list[int] = Field(..., title="农户 id", min_length=1, max_length=1000)
    on: date = Field(..., title="启动日期")
    elimination_way: str = Field("", title="消除方式（1 帮扶消除，2 自然消除；可在县级审定前再定）")


class ReverseIn(Input):
    on: date = Field(..., title="撤销日期")
    reason: str = Field(..., title="撤销原因", max_length=200)
