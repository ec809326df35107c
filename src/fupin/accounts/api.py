"""Who is calling the API: bearer tokens for programs, the Django session for the browser — both end as the same
user, with that user's role and area. Also /api/me and the caller's own tokens."""

from datetime import datetime

from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from fupin.api_common import ERRORS, Input, Labelled
from fupin.core.errors import NotAuthenticated, NotFound, PermissionDenied

from . import tokens
from .models import ApiToken
from .roles import SENSITIVE_FIELDS


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`. A token that is presented but invalid is refused outright instead of
    falling back to the session, so a program learns that its token is dead."""

    def authenticate(self, request, token):
        user = tokens.authenticate(token)
        if user is None:
            raise NotAuthenticated("API令牌无效、已撤销或其用户已停用")
        request.user = user
        return user


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"


class Session(SessionAuth):
    """The browser's Django session, with ninja's CSRF check on unsafe methods. Without a session cookie there is
    nothing to forge, so the check is skipped: a caller with no credentials (or a bad token) gets 401, not a
    CSRF 403."""

    def __call__(self, request):
        if self.param_name not in request.COOKIES:
            return None
        try:
            return super().__call__(request)
        except HttpError:
            raise CsrfFailed("CSRF校验失败：通过登录会话修改数据，须带 X-CSRFToken 请求头") from None


session_auth = Session()
#: tried in this order on every operation (fupin.api sets it as the API's default)
API_AUTH = [BearerToken(), session_auth]

router = Router(tags=["账户"])


class AreaOut(Schema):
    code: str
    name: str
    level: int


class MeOut(Labelled):
    username: str
    name: str = Field(description="姓名")
    role: str = Field(description="角色代码，中文见 labels.role")
    area: AreaOut | None = Field(description="所属区划：能看到的数据就是该区划以下的")
    may_edit: bool = Field(description="能否新增、修改建档立卡数据")
    may_reveal: list[str] = Field(description="可以查看明文的敏感字段")

    @staticmethod
    def resolve_name(user):
        return f"{user.last_name}{user.first_name}"

    @staticmethod
    def resolve_may_reveal(user):
        return [field for field in SENSITIVE_FIELDS if user.may_reveal(field)]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="令牌的前8个字符，用于辨认")
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


class NewTokenOut(TokenOut):
    token: str = Field(description="令牌明文：只在签发时返回这一次，请妥善保存")


class TokenIn(Input):
    name: str = Field(..., min_length=1, max_length=60, title="名称", description="令牌用途，如“县统计报表脚本”")


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户")
def me(request):
    return request.auth


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="我的API令牌")
def list_tokens(request):
    return request.auth.api_tokens.all()


@router.post("/tokens", response={201: NewTokenOut, **ERRORS}, auth=session_auth, summary="签发API令牌")
def issue_token(request, payload: TokenIn):
    """Only from a logged-in browser session: a token cannot mint further tokens, so a leaked one stays one."""
    key = tokens.issue_token(request.auth, payload.name, via="api")
    token = ApiToken.objects.get(key_hash=tokens.digest(key))
    token.token = key
    return Status(201, token)


@router.delete("/tokens/{int:token_id}", response={204: None, **ERRORS}, summary="撤销API令牌")
def revoke_token(request, token_id: int):
    token = request.auth.api_tokens.filter(pk=token_id).first()
    if token is None:
        raise NotFound("未找到该令牌")
    tokens.revoke(token, by=request.auth, via="api")
    return Status(204, None)
