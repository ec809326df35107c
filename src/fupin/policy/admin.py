"""Runs and decisions are written by assessments only, so they are read-only here. Uploaded packs are added
through `policy.services.packs` (checked, versioned, audited) and switched on or off by the two actions; a
version is never edited or deleted, so a run's pack can always be traced."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts.admin_scoping import ScopedAdmin, SuperuserOnlyAdmin
from fupin.core.errors import DomainError

from .models import AssessmentRun, UploadedPack
from .packs import SHIPPED, PackError, origin_label
from .services import packs as pack_service


@admin.register(AssessmentRun)
class AssessmentRunAdmin(ScopedAdmin):
    list_display = (
        "id",
        "kind",
        "pack_id",
        "pack_origin",
        "year",
        "as_of",
        "area_name",
        "households",
        "passed",
        "finished_at",
    )
    list_filter = ("kind", "single")
    exclude = ("pack",)

    @admin.display(description=gettext_lazy("标准包来源"))
    def pack_origin(self, run):
        """Shipped, the packs folder or which upload: the version the run was judged with."""
        return origin_label((run.pack or {}).get("origin", SHIPPED))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PackUploadForm(forms.ModelForm):
    """One YAML file; checked on submit with the packs in force, its problems shown as 文件 第 N 行：原因."""

    file = forms.FileField(
        label=gettext_lazy("标准包文件"),
        help_text=gettext_lazy(
            "UTF-8 编码的 YAML 文件，格式与随系统提供的标准包相同（id、region、year、inherits、lines、params、options、"
            "rules）。同一 id 再次上传即为新版本，启用的最高版本生效。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml"}),
    )

    class Meta:
        model = UploadedPack
        fields = ()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        content = upload.read()
        try:
            pack_service.check_upload(upload.name, content)
        except PackError as error:
            problems = sorted(
                error.problems, key=lambda problem: (problem.file != upload.name, problem.file, problem.line)
            )
            raise ValidationError([problem.described() for problem in problems]) from None
        self.content = content
        return upload


@admin.register(UploadedPack)
class UploadedPackAdmin(SuperuserOnlyAdmin):
    list_display = ("pack_id", "version", "region", "year", "title", "active", "uploaded_by", "uploaded_at")
    list_filter = ("active", "region", "year")
    search_fields = ("pack_id", "title")
    readonly_fields = (
        "pack_id",
        "version",
        "region",
        "year",
        "title",
        "file_name",
        "active",
        "uploaded_by",
        "uploaded_at",
        "digest",
        "yaml_text",
    )
    actions = ("switch_on", "switch_off")

    @admin.display(description=gettext_lazy("标准包全文（YAML）"))
    def yaml_text(self, obj):
        return format_html("<pre>{}</pre>", obj.text)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return PackUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        return ("file",) if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # a version is kept as uploaded; switch it on or off with the list's actions

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["file"]
        created = pack_service.upload_pack(request.user, upload.name, form.content)
        obj.__dict__.update({key: value for key, value in created.__dict__.items() if key != "_state"})
        obj._state.adding = False

    @admin.action(description=gettext_lazy("启用所选版本"))
    def switch_on(self, request, queryset):
        self._switch(request, queryset, True)

    @admin.action(description=gettext_lazy("停用所选版本（同一 id 改用启用的上一版本）"))
    def switch_off(self, request, queryset):
        self._switch(request, queryset, False)

    def _switch(self, request, queryset, active):
        for upload in queryset.order_by("pack_id", "version"):
            try:
                pack_service.set_active(request.user, upload, active)
            except PackError as error:
                reasons = "；".join(problem.described() for problem in error.problems)
                self.message_user(
                    request,
                    _("未改动%(upload)s：%(reasons)s") % {"upload": upload, "reasons": reasons},
                    messages.ERROR,
                )
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                done = _("已启用%(upload)s") if active else _("已停用%(upload)s")
                self.message_user(request, done % {"upload": upload})
