"""Options and output shared by the policy commands (assess, explain, whatif)."""

from datetime import date

from django.core.management.base import CommandError
from rich.console import Console

from fupin.accounts.models import User
from fupin.policy.models import Kind


def add_common(parser, *, kinds=True):
    parser.add_argument(
        "--policy",
        "--pack",
        dest="policy",
        help="标准包 id（如 national-2023）；默认按区划和收入年度选取：基准日为 12 月 31 日时取当年，否则取上一年",
    )
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="评估基准日 YYYY-MM-DD（默认今天）")
    parser.add_argument("--area", help="区划代码（默认全部；指定 --user 时为该用户的区划）")
    parser.add_argument("--user", help="以该用户的身份和区划范围评估（默认：系统，全部区划）")
    if kinds:
        parser.add_argument(
            "--kind",
            action="append",
            choices=Kind.values,
            help="评估类型，可重复：" + "，".join(f"{k.value} {k.label}" for k in Kind),
        )


def user_named(username):
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有启用的用户 {username}")
    return user


def console_for(command) -> Console:
    return Console(file=getattr(command.stdout, "_out", command.stdout), highlight=False, width=160)
