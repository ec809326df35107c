"""The demo logins: one per role, sharing one password that the command prints (`fupin-demo-<seed>`).

Written with the ORM after the bulk load (six rows), and bound to the first county, township and village, so
that each role sees a realistic slice of the county at once.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.areas.models import Level

from .areas import ChunkPlan

#: one login per role: (username, role, the first area of this level, department)
DEMO_USERS = (
    ("county", Role.COUNTY_ADMIN, Level.COUNTY, ""),
    ("township", Role.TOWNSHIP, Level.TOWNSHIP, ""),
    ("village", Role.VILLAGE, Level.VILLAGE, ""),
    ("cadre", Role.CADRE, Level.VILLAGE, ""),
    ("inspector", Role.INSPECTOR, Level.COUNTY, ""),
    ("department", Role.DEPARTMENT, Level.COUNTY, "民政局"),
)
USERNAMES = tuple(username for username, *_ in DEMO_USERS)


def demo_password(seed: int) -> str:
    """The same for every seed's run, so that a reader of the README knows the default logins' password."""
    return f"fupin-demo-{seed}"


def create(plans: list[ChunkPlan], seed: int) -> list[tuple[str, str, str]]:
    """Six logins sharing one password: hashed once, as a production-strength hash takes about half a second."""
    first = plans[0]
    areas = {
        Level.COUNTY: (first.county_code, first.county_name),
        Level.TOWNSHIP: (first.township_code, first.township_name),
        Level.VILLAGE: (first.village_codes[0], first.village_names[0]),
    }
    hashed = make_password(demo_password(seed))
    users = []
    for username, role, level, department in DEMO_USERS:
        code, name = areas[level]
        admin = role == Role.COUNTY_ADMIN
        User.objects.create(
            username=username,
            password=hashed,
            role=role,
            area_id=code,
            department=department,
            is_staff=admin,
            is_superuser=admin,
        )
        users.append((username, str(role.label), name))
    return users


def existing() -> list[tuple[str, str, str]]:
    """(username, role, area name) of the demo logins present in the database, in DEMO_USERS order."""
    found = {u.username: u for u in User.objects.filter(username__in=USERNAMES).select_related("area")}
    return [
        (name, str(found[name].get_role_display()), found[name].area.name if found[name].area else "")
        for name, *_ in DEMO_USERS
        if name in found
    ]
