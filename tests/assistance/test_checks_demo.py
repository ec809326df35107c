"""The demo county's assistance records give every check and every figure something to show, and the demo cadre
login sees the checks of their own households; --replace empties them first."""

from datetime import date

import pytest

from fupin.accounts.models import User
from fupin.assistance import codes
from fupin.assistance.models import Cadre, Measure, Visit
from fupin.assistance.services import checks, figures
from fupin.demo import build

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 6, 30)


@pytest.fixture
def demo_county(db):
    return build.generate(50_000, seed=2014, as_of=AS_OF, parallel=False)


def test_every_check_lists_something_in_the_demo_township(demo_county):
    township = User.objects.get(username="township")
    counts = checks.check_counts(township, AS_OF)
    assert all(counts.values()), counts
    assert demo_county.rows["assistance.Measure"] > 0
    kinds = set(Measure.objects.values_list("kind", flat=True))
    assert kinds == set(codes.MeasureKind.values)
    data = figures.assistance_figures(township, as_of=AS_OF)
    assert data["micro_loans"]["issued"] and data["public_posts"]["count"] and data["teams"]["open"]
    cadre = User.objects.get(username="cadre")
    assert Cadre.objects.filter(user=cadre).exists()
    own = checks.check_counts(cadre, AS_OF)
    assert sum(own.values()) and own["no_measure"] <= counts["no_measure"]


def test_replace_empties_the_assistance_records_first(demo_county):
    before = Visit.objects.count()
    build.generate(50_000, seed=2014, as_of=AS_OF, parallel=False, replace=True)
    assert Visit.objects.count() == before
