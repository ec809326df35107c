"""The upload form; what a file may contain is decided by the importer, not here."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))
    dry_run = forms.BooleanField(
        label=_("试导入"), required=False, help_text=_("只检查并列出将新增、修改的记录，不写入任何数据")
    )
