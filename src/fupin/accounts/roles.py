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


#: who may see an ID number in full; every field that contains one is masked and revealed by this rule
ID_NUMBER_READERS = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP, Role.VILLAGE})

#: personal fields that are masked by default and the roles that may reveal each (every reveal is audited). The one
#: list every path reads (exports, API, web pages and forms, admin, import previews and reports): a field missing
#: here leaves unmasked everywhere.
SENSITIVE_FIELDS = {
    "id_number": ID_NUMBER_READERS,
    "disability_cert": ID_NUMBER_READERS,  # 残疾证号: the holder's ID number plus category and grade (20 or 22)
    "phone": {Role.COUNTY_ADMIN, Role.TOWNSHIP, Role.VILLAGE, Role.CADRE, Role.INSPECTOR},
    "bank_account": {Role.COUNTY_ADMIN},
    "health": {Role.COUNTY_ADMIN, Role.VILLAGE},
}

#: the masking rule of a field, where it is not its own name (accounts.masking.mask_value)
MASKED_AS = {"disability_cert": "id_number"}

#: roles that may create or change registry records (inside their own area)
EDITORS = {Role.COUNTY_ADMIN, Role.TOWNSHIP, Role.VILLAGE}
#: who may record a household's income account (算清账): the editors, and a cadre on a visit (inside the cadre's own
#: area); every other registry record stays editors-only
INCOME_RECORDERS = EDITORS | {Role.CADRE}

#: who may lift a login lockout (accounts.lockout), for the users of his area ranked at or below him, besides
#: superusers: the county's administrators, who answer the clerk's phone call
LOCKOUT_LIFTERS = {Role.COUNTY_ADMIN}

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

#: who may start a whole-area assessment from the web (inside their own area): the county's and townships' clerks
ASSESSORS = {Role.COUNTY_ADMIN, Role.TOWNSHIP}
