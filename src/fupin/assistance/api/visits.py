"""Visits through the API (a phone app or a script): record a visit (JSON, idempotent by the phone's client_id: the
same visit again answers 200 with the visit first recorded), add a photo to it (multipart), list a household's
visits. Thin over services.visits and services.photos; refusals leave in the one error shape (fupin.api)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from fupin.api_common import ERRORS, Input
from fupin.areas.scoping import get_scoped
from fupin.registry.models import Household

from ..models import Visit
from ..services import photos, visits

router = Router(tags=["帮扶"])
VIA = "api"


class VisitIn(Input):
    household_id: int = Field(..., title="农户")
    client_id: UUID = Field(..., title="客户端编号", description="手机开始记录时生成的UUID；重发同一编号不会重复记录")
    visited_on: date = Field(..., title="走访日期")
    met: str = Field("", title="见到的家庭成员", max_length=80)
    checks: dict[str, bool] = Field(
        {}, title="两不愁三保障核实", description="food、clothing、education、medical、housing、water：是/否"
    )
    problems: str = Field("", title="发现的问题", max_length=4000)
    policies: list[str] = Field([], title="宣讲的政策")
    income: dict[str, Decimal] | None = Field(
        None, title="算清账", description="收入台账的收入项和生产经营性支出（元）"
    )
    income_year: int | None = Field(None, title="算账年度", description="默认今年")
    risk_found: bool = Field(False, title="发现返贫致贫风险")
    risk_types: list[str] = Field([], title="风险类型")
    cadre_id: int | None = Field(None, title="走访干部", description="村乡县工作人员代录时填写；帮扶干部本人录入时不填")


class PhotoOut(Schema):
    id: int
    width: int
    height: int
    sha256: str
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


class VisitOut(Schema):
    id: int
    household_id: int
    village: str = Field(..., alias="village_id")
    cadre_id: int | None
    client_id: UUID
    visited_on: date
    met: str
    checks: dict[str, bool]
    problems: str
    policies: list[str]
    income_year: int | None
    per_capita_income: Decimal | None
    risk_found: bool
    risk_types: list[str]
    clue_ref: str
    photos: int = Field(0, title="照片张数")

    @staticmethod
    def resolve_photos(obj):
        return obj.photos.count()


@router.post("/assistance/visits", response={200: VisitOut, 201: VisitOut, **ERRORS}, summary="记录走访")
def record_visit(request, payload: VisitIn):
    """201 with the new visit; 200 with the visit already recorded under this client_id (nothing written)."""
    household = get_scoped(Household.objects, request.auth, pk=payload.household_id)
    fields = payload.dict(exclude={"household_id", "cadre_id"})
    visit, created = visits.record_visit(request.auth, household, cadre=payload.cadre_id, via=VIA, **fields)
    return Status(201 if created else 200, visit)


@router.post("/assistance/visits/{int:visit_id}/photos", response={201: PhotoOut, **ERRORS}, summary="上传走访照片")
def add_photo(request, visit_id: int, file: File[UploadedFile]):
    """A JPEG, PNG or WebP of at most 15 MB; kept as a JPEG of at most 1600 px, its EXIF time and place read."""
    visit = get_scoped(Visit.objects, request.auth, pk=visit_id)
    return Status(201, photos.add_photo(request.auth, visit, file, via=VIA))


@router.get(
    "/assistance/households/{int:household_id}/visits",
    response={200: list[VisitOut], **ERRORS},
    summary="农户的走访记录",
)
def household_visits(request, household_id: int):
    household = get_scoped(Household.objects, request.auth, pk=household_id)
    return list(visits.visits_of(request.auth, household).prefetch_related("photos"))
