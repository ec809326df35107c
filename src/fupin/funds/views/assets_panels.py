"""The panels the assets topic shows on other pages (registry.panels): on a household's page, its assets (到户类)
and its dividends from assets' income (资产收益分红), each as the user may see them; on a project's page (topic B's,
page "funds.project"), the assets it formed and, for a keeper, the button that records them."""

from .. import codes
from ..models import Asset, IncomeShare
from ..services.assets import ASSET_STAGES


def household_panel(request, household) -> dict:
    user = request.user
    owned = list(Asset.objects.restrict(user).filter(owner_household=household).select_related("area"))
    shares = list(
        IncomeShare.objects.restrict(user)
        .filter(household=household)
        .select_related("plan__asset")
        .order_by("-plan__year", "plan_id")
    )
    return {"hidden": not owned and not shares, "owned": owned, "shares": shares}


def project_panel(request, project) -> dict:
    user = request.user
    formed = list(Asset.objects.restrict(user).filter(project=project).order_by("id"))
    may_add = (user.is_superuser or user.role in codes.ASSET_KEEPERS) and project.stage in ASSET_STAGES
    return {
        "project": project,
        "assets": formed,
        "may_add": may_add and project.acceptance_result == codes.AcceptanceResult.PASSED,
    }
