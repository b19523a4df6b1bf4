"""Django's own validation messages that Django's Thai catalogue leaves in English.

Never called: `script/makemessages` reads these calls so that core's Thai catalogue carries
the messages (app catalogues take precedence over Django's), and a Thai reader who gets past
a field's `maxlength` or types a letter into a number field is answered in Thai. The texts
must stay exactly Django's msgids.
"""

from django.utils.translation import gettext, ngettext


def _messages() -> None:  # pragma: no cover - read by makemessages only
    gettext("Enter a valid integer.")
    gettext("Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.")
    gettext("Enter a valid “slug” consisting of Unicode letters, numbers, underscores, or hyphens.")
    ngettext(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        0,
    )
    ngettext(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        0,
    )
    ngettext(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        0,
    )
    ngettext(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        0,
    )
    ngettext(
        "Ensure that there are no more than %(max)s digit before the decimal point.",
        "Ensure that there are no more than %(max)s digits before the decimal point.",
        0,
    )
    gettext(
        "File extension “%(extension)s” is not allowed. Allowed extensions are: "
        "%(allowed_extensions)s."
    )
    gettext("Null characters are not allowed.")
    gettext("%(model_name)s with this %(field_labels)s already exists.")
    gettext("Value %(value)r is not a valid choice.")
    gettext("“%(value)s” is not a valid UUID.")
    ngettext(
        "Ensure this filename has at most %(max)d character (it has %(length)d).",
        "Ensure this filename has at most %(max)d characters (it has %(length)d).",
        0,
    )
    gettext("Enter a complete value.")
    gettext("“%(pk)s” is not a valid value.")
    gettext("This is not a valid IPv6 address.")
    gettext(
        "%(datetime)s couldn’t be interpreted in time zone %(current_timezone)s; it may be ambiguous or it may not exist."
    )
