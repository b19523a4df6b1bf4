"""`{% complaint_figures agency %}`: an agency's public complaint figures on other apps' pages
(the agency's directory page), without those apps importing complaints."""

from django import template

from complaints.selectors import figures

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.inclusion_tag("complaints/includes/agency_block.html")
def complaint_figures(agency):
    return {"agency": agency, "figures": figures(agency=agency)}
