"""Forms of the assessment pages: they parse input; policy.services.* decide and compute."""

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from fupin.core.errors import DomainError
from fupin.registry import codes
from fupin.registry.filters import ALL, area_choices

from .models import HOUSEHOLD_KINDS, AssessmentRun, Kind
from .packs import display_value, load_pack
from .services.packs import available_packs
from .services.scope import resolve_pack, resolve_scope
from .services.whatif import typed_value, whatif_parameters

KIND_CHOICES = [(kind.value, kind.label) for kind in HOUSEHOLD_KINDS]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def pack_choices() -> list:
    """Every pack by its title (the id after it, as the files name it)."""
    return [(pack, f"{load_pack(pack).title}（{pack}）") for pack in available_packs()]


def _scope_choices(user) -> list:
    """The user's own area first (the default), then the townships and villages inside it."""
    area = getattr(user, "area", None)
    return [("", area.full_name() if area else _("全部区划")), *area_choices(user)[1:]]


def run_label(run: AssessmentRun) -> str:
    """A run as a picker names it: its scope, date, pack and number."""
    title = (run.pack or {}).get("title") or run.pack_id
    return _("%(area)s · 基准日 %(as_of)s · %(pack)s · 批次 %(number)s") % {
        "area": run.area_name,
        "as_of": run.as_of.isoformat(),
        "pack": title,
        "number": run.pk,
    }


class StartForm(forms.Form):
    """Start an assessment: the kind, the pack (default: the one of the area and year), the date, the area."""

    kind = forms.ChoiceField(label=_("评估类型"), choices=Kind.choices, initial=Kind.MONITORING)
    pack = forms.ChoiceField(label=_("标准包"), required=False)
    as_of = forms.DateField(label=_("评估基准日"), widget=DATE_INPUT)
    area = forms.ChoiceField(label=_("评估范围"), required=False)

    def __init__(self, user, data=None, initial=None):
        super().__init__(data, initial={"as_of": timezone.localdate(), **(initial or {})})
        try:
            default = resolve_pack(None, resolve_scope(user), timezone.localdate()).title
        except DomainError:
            default = ""
        automatic = (
            _("按区划和年度自动选取（今天为%(pack)s）") % {"pack": default} if default else _("按区划和年度自动选取")
        )
        self.fields["pack"].choices = [("", automatic), *pack_choices()]
        self.fields["area"].choices = _scope_choices(user)

    def arguments(self) -> dict:
        """The keyword arguments of services.jobs.start_assessment."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "pack_id": data["pack"] or None,
            "as_of": data["as_of"],
            "area": data["area"] or None,
        }


class FlaggedFilterForm(forms.Form):
    """Which assessment, which of its runs and which category; the page shows the registry list's filters after
    these (registry.filters.HouseholdFilterSet), which pick the households."""

    kind = forms.ChoiceField(label=_("评估类型"), choices=KIND_CHOICES, required=False)
    run = forms.ChoiceField(label=_("评估批次"), required=False)
    category = forms.ChoiceField(
        label=_("评估的监测类别"), required=False, choices=[ALL, *codes.MonitoringCategory.choices]
    )

    def __init__(self, data, *, kind: str, run: AssessmentRun | None, runs):
        """`kind` and `run` are what the page lists (the run's kind, the default run): the boxes show them."""
        data = data.copy()
        data["kind"] = kind
        if run is not None:
            data["run"] = str(run.pk)
        super().__init__(data)
        self.fields["run"].choices = [("", _("（最新的全范围批次）")), *((str(r.pk), run_label(r)) for r in runs)]


class WhatIfForm(forms.Form):
    """A what-if: the kind, the pack compared against (default: the area's for the year), optionally another pack,
    and the line or parameter to change, picked from the pack's own list with its current value."""

    kind = forms.ChoiceField(label=_("评估类型"), choices=KIND_CHOICES, initial="monitoring")
    against = forms.ChoiceField(label=_("对照标准包"), required=False)
    policy = forms.ChoiceField(label=_("测算标准包"), required=False)
    parameter = forms.ChoiceField(label=_("改动的线或参数"), required=False)
    value = forms.CharField(label=_("改为"), required=False, widget=forms.TextInput(attrs={"size": 8}))
    area = forms.ChoiceField(label=_("区划"), required=False)
    as_of = forms.DateField(label=_("评估基准日"), required=False, widget=DATE_INPUT)

    def __init__(self, user, data):
        super().__init__(data)
        packs = [("", _("（按区划和年度自动选取）")), *pack_choices()]
        self.fields["against"].choices = packs
        self.fields["policy"].choices = [("", _("（与对照相同）")), *packs[1:]]
        self.fields["area"].choices = area_choices(user)
        self.pack, self.pack_error, self.current = None, None, {}
        try:
            self.pack = self._pack(user, data or {})
            parameters = whatif_parameters(self.pack, self._kind(data or {}))
        except DomainError as error:
            self.pack_error, parameters = error.message, []
        self.current = {name: value for name, _label, value in parameters}
        self.fields["parameter"].choices = [
            ("", _("（不改动，只换标准包）")),
            *(
                (name, _("%(label)s（现为 %(value)s）") % {"label": label, "value": display_value(value)})
                for name, label, value in parameters
            ),
        ]

    @staticmethod
    def _kind(data) -> str:
        kind = data.get("kind") or "monitoring"
        return kind if kind in dict(KIND_CHOICES) else "monitoring"

    @staticmethod
    def _pack(user, data):
        """The pack whose values a change replaces: the compared pack if one is picked, else the one compared
        against (as the service resolves them)."""
        area = data.get("area") or None
        scope = resolve_scope(user, area if area in dict(area_choices(user)) else None)
        try:
            as_of = parse_date(data.get("as_of") or "") or timezone.localdate()
        except ValueError:  # an impossible date: the field itself says so
            as_of = timezone.localdate()
        packs = set(available_packs())
        chosen = data.get("policy") or data.get("against")
        return resolve_pack(chosen if chosen in packs else None, scope, as_of)

    def clean(self):
        data = super().clean()
        parameter, value = data.get("parameter"), (data.get("value") or "").strip()
        if parameter and not value:
            self.add_error("value", _("请填写新的值"))
        elif parameter:
            try:
                data["typed"] = {parameter: typed_value(self.current[parameter], value)}
            except DomainError as error:
                self.add_error("value", error.message)
        elif not data.get("policy"):
            self.add_error("parameter", _("请选择要改动的线或参数，或选择另一个测算标准包"))
        return data

    def arguments(self) -> dict:
        """The keyword arguments of services.whatif.whatif (and of the drill-down)."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "before": data["against"] or None,
            "after": data["policy"] or None,
            "values": data.get("typed") or {},
            "as_of": data["as_of"],
            "area": data["area"] or None,
        }
