from django import template

from feedback import conf
from feedback.selectors import feedback_public_summary

register = template.Library()


@register.simple_tag
def feedback_point_summary(point):
    """The public figures of a point, or None below the minimum number of answers."""
    return feedback_public_summary(point=point)


@register.simple_tag
def feedback_public_minimum():
    return conf.get("FEEDBACK_PUBLIC_MIN_RESPONSES")


@register.filter
def percent(value):
    return "—" if value is None else f"{value * 100:.0f}%"


@register.filter
def score(value):
    return "—" if value is None else f"{value:.2f}"
