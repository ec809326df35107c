from django.core.management.base import BaseCommand, CommandError

from fupin.accounts import lockout
from fupin.accounts.models import Lockout, User


class Command(BaseCommand):
    help = (
        "解除用户的登录锁定（记入审计日志）；--list 列出当前的锁定 / "
        "lift a user's login lockout (audited); --list lists the lockouts now in force"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="被锁定的用户名 / the locked-out username")
        parser.add_argument("--by", help="解除锁定的管理员用户名（超级用户或县级管理员）/ the administrator lifting it")
        parser.add_argument("--ip", help="只解除从此地址的锁定 / only the lockout from this address")
        parser.add_argument("--list", dest="listing", action="store_true", help="列出当前的锁定 / list lockouts")

    def handle(self, username, by, ip, listing, **options):
        if listing:
            for attempt in Lockout.objects.all():
                if lockout.is_locked(attempt):
                    self.stdout.write(
                        f"{attempt.username}  {attempt.ip_address}  失败 {attempt.failures_since_start} 次"
                        f"  最近 {attempt.attempt_time:%Y-%m-%d %H:%M}"
                    )
            return
        if not username:
            raise CommandError("请给出被锁定的用户名，或用 --list 列出当前的锁定")
        actor = User.objects.filter(username=by).first() if by else None
        if actor is None:
            raise CommandError("请用 --by 给出解除锁定的管理员用户名（审计日志记下是谁解除的）")
        if not lockout.may_lift_any(actor):
            raise CommandError(f"用户“{actor.username}”无权解除登录锁定（须为超级用户或县级管理员）")
        attempts = Lockout.objects.filter(username=username)
        if ip:
            attempts = attempts.filter(ip_address=ip)
        attempts = list(attempts)
        if not attempts:
            raise CommandError(f"用户名“{username}”没有登录失败记录{f'（地址 {ip}）' if ip else ''}")
        allowed = [attempt for attempt in attempts if lockout.may_lift(actor, attempt)]
        if not allowed:
            raise CommandError(f"用户“{actor.username}”无权解除“{username}”的登录锁定（不在其管辖范围内或级别更高）")
        count = lockout.lift(allowed, by=actor, via="cli")
        self.stdout.write(f"已解除“{username}”的 {count} 条登录锁定（已记入审计日志）")
