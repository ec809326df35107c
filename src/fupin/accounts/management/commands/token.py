from django.core.management.base import BaseCommand, CommandError

from fupin.accounts import tokens
from fupin.accounts.models import User
from fupin.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "为用户签发API令牌（只显示一次）；--list 列出其令牌，--revoke 前缀 撤销 / "
        "issue an API token for a user (printed once); --list lists them, --revoke PREFIX revokes one"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行签发", help="令牌用途 / what the token is for")
        parser.add_argument(
            "--list", dest="listing", action="store_true", help="列出该用户的令牌 / list the user's tokens"
        )
        parser.add_argument(
            "--revoke", metavar="PREFIX", help="撤销以此前缀开头的令牌 / revoke the token with this prefix"
        )

    def handle(self, username, name, listing, revoke, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        if listing:
            for token in user.api_tokens.all():
                state = "已撤销" if token.revoked else f"最近使用 {token.last_used_at or '从未'}"
                self.stdout.write(f"{token.prefix}  {token.name}  创建 {token.created_at:%Y-%m-%d %H:%M}  {state}")
            return
        if revoke:
            token = user.api_tokens.filter(prefix=revoke, revoked=False).first()
            if token is None:
                raise CommandError(f"用户“{username}”没有前缀为“{revoke}”的有效令牌")
            tokens.revoke(token, via="cli")
            self.stdout.write(f"已撤销令牌 {token.prefix}…（{token.name}）")
            return
        try:
            key = tokens.issue_token(user, name, via="cli")
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stderr.write("请妥善保存，该令牌只显示这一次：")
        self.stdout.write(key)
