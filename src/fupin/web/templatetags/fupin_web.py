"""Display helpers for the templates: masked values with their reveal button, names, ages."""

from django import template
from django.urls import reverse
from django.utils import timezone

from fupin.accounts.masking import shown

register = template.Library()


@register.filter
def masked(value, field):
    """The value as every role first sees it (accounts.masking)."""
    return shown(field, value)


@register.inclusion_tag("web/_sensitive.html", takes_context=True)
def sensitive(context, obj, field):
    """A masked value, plus a 显示 button that reveals it (audited) where the user's role may see it."""
    value = getattr(obj, field)
    user = context["request"].user
    may_reveal = bool(value) and user.may_reveal(field)
    return {
        "masked": shown(field, value),
        "url": reverse("registry:reveal", args=[obj._meta.model_name, obj.pk, field]) if may_reveal else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def person_name(user):
    """Chinese order, family name first; the username where no name is on file."""
    return f"{user.last_name}{user.first_name}" or user.username if user else ""


@register.filter
def age(member):
    return member.age_on(timezone.localdate())
