"""System checks fupin adds (registered in AccountsConfig.ready). They run before every management command that
checks — `fupin serve`, `migrate`, `check`, `runserver`, the worker — not only under `check --deploy`: a server
must not start with a key anyone can read in the source."""

from django.conf import settings
from django.core import checks

#: shorter keys, or keys of fewer distinct characters, are refused as guessable
MIN_SECRET_KEY_LENGTH = 32
MIN_SECRET_KEY_CHARACTERS = 5


def secret_key(app_configs=None, **kwargs):
    """With DEBUG off, the secret key (it signs sessions, CSRF tokens and password-reset links) must not be the
    built-in development key nor short."""
    if settings.DEBUG:
        return []
    key = settings.SECRET_KEY
    builtin = key == getattr(settings, "DEVELOPMENT_SECRET_KEY", None)
    weak = len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < MIN_SECRET_KEY_CHARACTERS
    if not (builtin or weak):
        return []
    problem = "是源代码里公开的开发用密钥" if builtin else f"太短或太简单（至少 {MIN_SECRET_KEY_LENGTH} 个字符）"
    return [
        checks.Error(
            f"SECRET_KEY {problem}，DEBUG 关闭时不能使用：知道它的人可以伪造任何用户的登录会话。",
            hint=(
                '生成一个密钥：python3 -c "import secrets; print(secrets.token_urlsafe(50))"，'
                "写入环境变量 FUPIN_SECRET_KEY（如 /etc/fupin/fupin.env），"
                "或存入只有服务用户可读的文件（chmod 600）并设置 FUPIN_SECRET_KEY_FILE=该文件的路径；"
                "每套系统一个，升级时保留。见 docs/deploy.md 第3节。"
            ),
            id="fupin.E001",
        )
    ]
