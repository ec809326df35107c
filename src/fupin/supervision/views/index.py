"""The supervision home page: the ways into the problems ledger, the spot checks and the bulletins."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

#: the ways into the topics' pages, by URL name (a topic whose page is not there yet is left out)
WAYS = (
    (_("问题整改台账"), "supervision:problem-list", _("各类反馈问题的认领、整改、核查与销号")),
    (_("随机抽查"), "supervision:plan-list", _("抽样计划、抽查任务、差错率及其置信区间")),
    (_("通报排名"), "supervision:bulletin-list", _("每日通报、每周排名、每月总结")),
)


def ways_in() -> list[dict]:
    ways = []
    for label, name, help_text in WAYS:
        try:
            ways.append({"label": label, "url": reverse(name), "help": help_text})
        except NoReverseMatch:
            continue
    return ways


@login_required
@require_GET
def index(request):
    return render(request, "supervision/index.html", {"ways": ways_in()})


urls = [path("", index, name="index")]
