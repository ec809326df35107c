"""The people lists' tables (django-tables2 through core.tables.ResultTable). A cadre's phone is drawn masked with
its 显示 button, as every phone is (the reveal is audited)."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fupin.accounts.masking import shown
from fupin.core.tables import ResultTable, record_link


def sensitive_phone(request, obj, url_name="assistance:cadre-reveal"):
    """The masked phone and, for a role that may see it, the 显示 button (web/_sensitive.html)."""
    value = obj.phone
    may = bool(value) and request.user.may_reveal("phone")
    return render_to_string(
        "web/_sensitive.html",
        {"masked": shown("phone", value), "url": reverse(url_name, args=[obj.pk]) if may else ""},
        request=request,
    )


class UnitTable(ResultTable):
    name = tables.Column(_("单位名称"))
    kind = tables.Column(_("单位类型"), accessor="get_kind_display")
    area = tables.Column(_("所属区划"), accessor="area__name")
    contact = tables.Column(_("联系人"))
    cadres = tables.Column(_("干部数"), accessor="cadre_count", attrs={"td": {"class": "num"}, "th": {"class": "num"}})

    class Meta(ResultTable.Meta):
        empty_text = _("还没有登记帮扶单位")


class CadreTable(ResultTable):
    name = tables.Column(_("姓名"))
    unit = tables.Column(_("帮扶单位"), accessor="unit__name")
    level = tables.Column(_("职级"), accessor="get_level_display")
    post = tables.Column(_("职务"))
    phone = tables.Column(_("联系电话"))
    flags = tables.Column(_("身份"), accessor="pk")
    area = tables.Column(_("所属区划"), accessor="area__name")

    class Meta(ResultTable.Meta):
        empty_text = _("没有符合条件的帮扶干部")

    def __init__(self, data, request):
        super().__init__(data)
        self.request = request

    def render_name(self, record, value):
        return record_link("assistance:cadre-detail", record, value)

    def render_phone(self, record, value):
        return sensitive_phone(self.request, record)

    def render_flags(self, record, value):
        flags = [
            label
            for flag, label in (
                ("county_leader", _("县级领导")),
                ("first_secretary", _("第一书记")),
                ("team_member", _("驻村队员")),
            )
            if getattr(record, flag)
        ]
        return "、".join(str(label) for label in flags)
