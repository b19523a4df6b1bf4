from django import template

from progress.charts import percent

register = template.Library()


@register.filter
def pct(share) -> str:
    """0.4567 → "46%", None → "–"."""
    return percent(share)
