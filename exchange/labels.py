"""Words for people in place of the protocol's codes (refusals, document status)."""

from django.utils.translation import gettext_lazy as _

REFUSALS = {
    "malformed": _("The request was not well formed."),
    "too_large": _("The request is too large."),
    "unsupported_version": _("The node speaks a protocol version the hub does not support."),
    "unsupported_suite": _("The node used an encryption suite the hub does not support."),
    "bad_signature": _("The request's signature does not match the sender's key."),
    "tampered": _("The envelope was changed on the way."),
    "replay": _("This request was already sent once."),
    "expired": _("The request expired before it arrived."),
    "not_yet_valid": _("The request is dated in the future."),
    "wrong_consumer": _("The answer was sealed for another agency."),
    "wrong_provider": _("This document is provided by another agency."),
    "mismatch": _("The answer does not match the request."),
    "unknown_key": _("The hub does not know the key the request was signed with."),
    "revoked_key": _("The key the request was signed with has been revoked."),
    "key_not_valid": _("The key the request was signed with is not valid now."),
    "unknown_member": _("The requesting agency is not a member of the hub."),
    "pseudonym_mismatch": _("The citizen's pseudonym does not match."),
    "unsupported_document": _("The provider does not offer this document."),
    "unknown_document_type": _("The hub does not know this document type."),
    "no_access_right": _("The agency has no access right to this document for this purpose."),
    "provider_unreachable": _("The providing agency's node did not answer."),
    "demo_not_set_up": _("The demo nodes are not set up."),
    "node_error": _("The agency's node answered with an error."),
    "node_unreachable": _("The agency's node did not answer."),
}

DOCUMENT_STATUS = {
    "found": _("Found"),
    "not_found": _("No record for this citizen ID"),
}


def refusal_label(code: str):
    return REFUSALS.get(code, _("The exchange failed."))


def document_status_label(code: str):
    return DOCUMENT_STATUS.get(code, code)
