"""The demo's department data: the 民政局 login gets its desk, and its month's list of new 低保/特困/临时救助 goes
through the real upload (services.departments), so the department's pages show an upload with clues raised, one
row matched to no one and one malformed ID number reported back — as a first month on the system would look."""

from __future__ import annotations

import io
from datetime import date, timedelta

from fupin.accounts.models import User
from fupin.monitoring import codes
from fupin.monitoring.models import DepartmentDesk
from fupin.monitoring.services.departments import import_department_upload
from fupin.registry.idcard import check_char
from fupin.registry.models import Member

#: how many registered members the demo's 民政 list names (new assistance of the month)
MATCHED_ROWS = 12
ASSISTANCE = ("低保", "特困", "临时救助")
_STRANGER_17 = "11010119500101123"
STRANGER = (_STRANGER_17 + check_char(_STRANGER_17), "外县人员")  # well formed, registered nowhere in the demo county
MALFORMED = ("14990119800101", "证号不全")


def build(as_of: date) -> int:
    """The desk and one upload; how many clues the upload raised (0 without a department login or members)."""
    clerk = User.objects.filter(username="department").first()
    if clerk is None:
        return 0
    DepartmentDesk.objects.create(user=clerk, department=codes.Department.CIVIL)
    members, households = [], set()
    found = (
        Member.objects.restrict(clerk)
        .filter(household__status="ordinary", left_on__isnull=True)
        .order_by("pk")
        .values_list("household_id", "id_number", "name")[: MATCHED_ROWS * 10]
    )
    for household, number, name in found:  # one member a household: each row a household's own warning
        if household not in households and len(members) < MATCHED_ROWS:
            households.add(household)
            members.append((number, name))
    if not members:
        return 0
    approved = as_of - timedelta(days=10)
    lines = ["证件号码,姓名,救助类型,批准日期"]
    for index, (number, name) in enumerate([*members, STRANGER, MALFORMED]):
        lines.append(f"{number},{name},{ASSISTANCE[index % len(ASSISTANCE)]},{approved.isoformat()}")
    month = as_of.replace(day=1) - timedelta(days=1)
    upload = import_department_upload(
        clerk,
        department=codes.Department.CIVIL,
        source=io.BytesIO("\n".join(lines).encode()),
        filename=f"民政新增救助{month:%Y-%m}.csv",
        period=f"{month:%Y-%m}",
        reported_on=as_of,
        via="demo",
    )
    return upload.clues_raised
