"""Roles and what each may see and do. Data, not scattered `if role ==` checks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    DEPARTMENT = "department", _("行业部门")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村")
    CADRE = "cadre", _("帮扶干部")
    INSPECTOR = "inspector", _("督查/审计")


#: personal fields that are masked by default and the roles that may reveal each (every reveal is audited)
SENSITIVE_FIELDS = {
    "id_number": {Role.COUNTY_ADMIN, Role.TOWNSHIP, Role.VILLAGE},
    "phone": {Role.COUNTY_ADMIN, Role.TOWNSHIP, Role.VILLAGE, Role.CADRE, Role.INSPECTOR},
    "bank_account": {Role.COUNTY_ADMIN},
    "health": {Role.COUNTY_ADMIN, Role.VILLAGE},
}

#: roles that may create or change registry records (inside their own area)
EDITORS = {Role.COUNTY_ADMIN, Role.TOWNSHIP, Role.VILLAGE}

#: who may appoint whom: a user who is not a superuser may give another user only a role ranked at or below his own
#: (the admin's user pages). Oversight (inspectors) and the county's departments rank above a township.
ROLE_RANK = {
    Role.COUNTY_ADMIN: 4,
    Role.INSPECTOR: 3,
    Role.DEPARTMENT: 3,
    Role.TOWNSHIP: 2,
    Role.VILLAGE: 1,
    Role.CADRE: 1,
}
