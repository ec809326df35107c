"""The department upload form: parse and show; the service decides who may upload what."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import codes


class DepartmentUploadForm(forms.Form):
    department = forms.ChoiceField(label=_("部门"), choices=codes.Department.choices)
    period = forms.CharField(label=_("数据期间（年-月）"), max_length=7, help_text=_("如 2026-11"))
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))

    def __init__(self, *args, department: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if department:  # a desk uploads its own department's data only
            self.fields["department"].choices = [(department, codes.Department(department).label)]
            self.fields["department"].initial = department
