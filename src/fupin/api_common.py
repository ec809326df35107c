"""What every app's API module shares: the error shape, request bodies derived from the models, masked and
labelled output, and pagination. Kept apart from fupin.api so app routers can import it without a cycle."""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from django.db import models
from django.db.models import Q
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, create_model, field_validator

from fupin.accounts.masking import shown
from fupin.accounts.roles import SENSITIVE_FIELDS
from fupin.core.errors import CONTROL_REASON


class ErrorBody(Schema):
    code: str = Field(description="稳定的错误代码，供程序判断，如 not_found、validation_error")
    message: str = Field(description="给人看的中文说明")
    field: str | None = Field(None, description="出错的字段名（如有）")
    details: dict[str, Any] | None = Field(None, description="补充信息，如校验错误的明细")


class ErrorOut(Schema):
    """The one shape of every error response."""

    error: ErrorBody


#: the error statuses every operation can answer, for the OpenAPI document (the handlers in fupin.api make them)
ERRORS = {frozenset({400, 401, 403, 404, 405, 409, 413, 422, 500}): ErrorOut}


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(inner) for inner in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(inner) for inner in value)
    return False


class Input(Schema):
    """Request bodies refuse unknown fields, so a typo in a PATCH is an error instead of a silent no-op."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value):
        """U+0000 in a text: PostgreSQL cannot store it and no form lets it in, so it is refused here, before any
        other check (in the registry's words for control characters) and on SQLite too, naming the field."""
        if _has_nul(value):
            raise ValueError(CONTROL_REASON)
        return value


# ---- request bodies from model fields -------------------------------------------------------------------------


def _check_code(field, value):
    """A coded field accepts the values of its code list (and blank where the model allows it)."""
    if value in (None, "") and field.blank:
        return value
    allowed = {value for value, _ in field.choices}
    if value not in allowed:
        listing = "；".join(f"{code} {label}" for code, label in field.choices)
        raise ValueError(f"“{value}”不在代码表中，应为：{listing}")
    return value


POSITIVE_INTEGERS = (models.PositiveIntegerField, models.PositiveSmallIntegerField, models.PositiveBigIntegerField)
#: model field class → JSON-facing Python type, most specific first (DateTimeField is a DateField)
TYPES = (
    (models.BooleanField, bool),
    (models.DateTimeField, datetime),
    (models.DateField, date),
    (models.DecimalField, Decimal),
    (models.IntegerField, int),
    (models.CharField, str),
)


def _base_type(field):
    if isinstance(field, models.GeneratedField):
        field = field.output_field
    if field.is_relation:
        field = field.target_field
    for django_type, python_type in TYPES:
        if isinstance(field, django_type):
            return python_type
    raise TypeError(f"{field.name}: no API type for {type(field).__name__}")


def _input_type(field):
    """The type of a model field in a request body, with the model's own limits (length, sign, code list)."""
    kind, extra = _base_type(field), {}
    if kind is datetime:
        raise TypeError(f"{field.name}: timestamps are not input")
    if field.choices:
        kind = Annotated[kind, AfterValidator(partial(_check_code, field))]
        codes = [value for value, _ in field.choices] + ([""] if field.blank and not field.null else [])
        extra["json_schema_extra"] = {"enum": codes}
        extra["description"] = "；".join(f"{code} {label}" for code, label in field.choices)
    elif isinstance(field, models.CharField) and not field.is_relation:
        extra["max_length"] = field.max_length
    elif isinstance(field, POSITIVE_INTEGERS):
        extra["ge"] = 0
    return (kind | None if field.null else kind), extra


#: range lookups of a model's check constraints and the schema limits they become
LOOKUP_LIMITS = {"lte": "le", "gte": "ge", "lt": "lt", "gt": "gt"}


def _constraint_limits(model) -> dict[str, dict]:
    """Simple range checks of the model (CheckConstraint(condition=Q(work_months__lte=12))) as schema limits, so
    a bad value is refused naming the field and the limit rather than the constraint's internal name."""
    limits = defaultdict(dict)
    for constraint in model._meta.constraints:
        condition = getattr(constraint, "condition", None)
        if isinstance(condition, Q) and condition.connector == Q.AND and not condition.negated:
            for name, value in (child for child in condition.children if isinstance(child, tuple)):
                field_name, _, lookup = name.partition("__")
                if lookup in LOOKUP_LIMITS:
                    limits[field_name][LOOKUP_LIMITS[lookup]] = value
    return limits


def input_schema(model, name: str, fields, *, required=(), partial_update=False, types=None):
    """A request body for `fields` of `model`: types, lengths, code lists and Chinese titles come from the model,
    so the API cannot drift from it. `partial_update` (PATCH): nothing is required and nothing has a default, so
    `model_dump(exclude_unset=True)` is exactly what the client sent. `types` overrides a field's type where a
    service validates it better (e.g. ID numbers, checked by registry.idcard with a reason)."""
    definitions, limits = {}, _constraint_limits(model)
    for field_name in fields:
        field = model._meta.get_field(field_name)
        kind, extra = _input_type(field)
        extra.update(limits.get(field_name, {}))
        if types and field_name in types:
            kind, extra = types[field_name], {}
        if field_name in required and not partial_update:
            default = ...
        elif field.has_default() and not callable(field.default) and not partial_update:
            default = field.default
        elif isinstance(field, models.CharField) and field.blank and not partial_update:
            default = ""  # what Django stores for an empty text field
        else:
            default = None
        definitions[field_name] = (kind, Field(default, title=str(field.verbose_name), **extra))
    return create_model(name, __base__=Input, __module__=model.__module__, **definitions)


# ---- output ---------------------------------------------------------------------------------------------------


def masked(as_field: str):
    """A sensitive value as every role sees it in a read (accounts.masking.shown); the reveal endpoints are the
    only way to the plain value. `as_field` names the masking rule (a disability-certificate number starts with
    the ID number, so it is masked like one)."""
    return Annotated[str, BeforeValidator(partial(shown, as_field))]


class Labelled(Schema):
    """A record whose coded fields travel as codes, with their Chinese labels alongside in `labels`."""

    labels: dict[str, str] = Field(
        description='代码字段的中文含义，如 {"status": "未脱贫"}；空值和敏感字段（如健康状况）不列出'
    )

    @staticmethod
    def resolve_labels(obj):
        return {
            f.name: str(getattr(obj, f"get_{f.name}_display")())
            for f in obj._meta.concrete_fields
            if f.choices and f.name not in SENSITIVE_FIELDS and getattr(obj, f.attname) not in (None, "")
        }


def output_schema(model, name: str, fields, *, mask=None, base=None):
    """A read of `fields` of `model`, typed from the model. Fields named in accounts.roles.SENSITIVE_FIELDS are
    masked for every role, as are those in `mask` (field → the masking rule to apply); a relation reads as the
    related key (e.g. `village` → the village code)."""
    definitions = {}
    for field_name in fields:
        field = model._meta.get_field(field_name)
        rule = (mask or {}).get(field_name) or (field_name if field_name in SENSITIVE_FIELDS else None)
        kind = masked(rule) if rule else _base_type(field)
        if field.null and not rule:
            kind = kind | None
        alias = field.attname if field.is_relation else None
        definitions[field_name] = (kind, Field(..., title=str(field.verbose_name), validation_alias=alias))
    return create_model(name, __base__=base or Labelled, __module__=model.__module__, **definitions)


#: the highest page number: (page - 1) × page_size must fit the databases' 64-bit OFFSET, and no county has
#: 200 million records to page through
MAX_PAGE = 1_000_000


class QueryInput(Schema):
    """Query parameters refuse U+0000 as bodies do (Input), naming the parameter: PostgreSQL cannot compare it."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value):
        if _has_nul(value):
            raise ValueError(CONTROL_REASON)
        return value


class PageQuery(QueryInput):
    page: int = Field(1, ge=1, le=MAX_PAGE, title="页码", description=f"从1开始，至多{MAX_PAGE}")
    page_size: int = Field(50, ge=1, le=200, title="每页条数", description="1–200")


def page_of(item_schema, name: str):
    """The response of a paginated list: {count, page, page_size, items}."""
    fields = {"count": (int, ...), "page": (int, ...), "page_size": (int, ...), "items": (list[item_schema], ...)}
    return create_model(name, __base__=Schema, **fields)


def paginate(queryset, query: PageQuery) -> dict:
    start = (query.page - 1) * query.page_size
    return {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "items": list(queryset[start : start + query.page_size]),
    }
