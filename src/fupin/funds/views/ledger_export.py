"""The ledger page's .xlsx (services.ledger_export): the same holder, date and year as the page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ..services.ledger_export import CONTENT_TYPE, ledger_workbook
from . import ledger as pages


@login_required
@require_GET
def export(request):
    area, department = pages.holder_in_scope(request)
    as_of, year = pages.as_of_of(request), pages.year_of(request)
    context = pages.ledger_context(area, department, as_of, year)
    label = pages._holder_label(area.code, department, {area.code: area.name})
    title = f"{label}扶贫资金台账" + (f"（{year}年度资金）" if year else "")
    content = ledger_workbook(
        request.user, title=title, unit=area.full_name() + (label[len(area.name):] if department else ""),
        area_code=area.code, as_of=as_of, context=context, via="ui",
    )  # fmt: skip
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    filename = f"资金台账-{label}-{as_of:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
