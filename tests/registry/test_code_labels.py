"""Code labels (get_FOO_display) come from a dict per field and language (registry.codes.CodeLabels): the same
text Django's own lookup gives, for every code of every registry model, in each language, and a value outside
the code list reads as itself."""

from django.db.models.base import Model
from django.utils import translation

from fupin.registry import codes
from fupin.registry.models import Household, IncomeAccount, LivingConditions, Member, StatusEvent

MODELS = (Household, Member, IncomeAccount, LivingConditions, StatusEvent)


def test_every_code_reads_as_django_reads_it_in_each_language():
    checked = 0
    for language in ("zh-hans", "en", "zh-hans"):  # back to Chinese: a cached English label must not stay
        with translation.override(language):
            for model in MODELS:
                for field in (f for f in model._meta.concrete_fields if f.choices):
                    for code, _label in field.flatchoices:
                        record = model(**{field.attname: code})
                        assert record._get_FIELD_display(field) == Model._get_FIELD_display(record, field)
                        checked += 1
    assert checked > 100
    with translation.override("zh-hans"):
        assert Household(status=codes.Status.POOR).get_status_display() == "未脱贫"
    with translation.override("en"):
        assert Household(status=codes.Status.POOR).get_status_display() == "Not yet out of poverty"


def test_a_value_outside_the_code_list_reads_as_itself():
    assert Household(status="gone").get_status_display() == "gone"
    assert Household(monitoring_category="").get_monitoring_category_display() == ""
    assert Member(health=None).get_health_display() is None
