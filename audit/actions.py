"""Every audit action name, in one list (`audit/tests/test_actions.py` checks the code uses
no other). A new app appends its block; new names follow `"<app>.<entity>.<verb>"`. The older
names below are kept as they are: they are already in the stored audit log and its filters."""

ACCOUNTS = (
    "registration.submitted",
    "accounts.registration.duplicate",
    "registration.approved",
    "registration.rejected",
    "account.activated",
    "account.password_reset",
    "account.password_reset_requested",
    "signin.locked",
    "signin.succeeded",
    "signin.failed",
    "accounts.user.updated",
    "accounts.user.password_set",
    "accounts.user.password_disabled",
    "accounts.two_factor.enabled",
    "accounts.two_factor.verified",
    "accounts.two_factor.failed",
    "accounts.two_factor.recovery_codes_replaced",
    "accounts.two_factor.disabled",
    "accounts.two_factor.reset",
)
AGENCIES = (
    "agency.created",
    "agency.renamed",
    "agency.moved",
    "agency.archived",
    "agency.imported",
    "agency_request.submitted",
    "agency_request.approved",
    "agency_request.rejected",
)
EXCHANGE = (
    "gdx.member.registered",
    "gdx.member.endpoint_changed",
    # gdx.member.<status> after a move (exchange.services._member_move)
    "gdx.member.active",
    "gdx.member.suspended",
    "gdx.member.revoked",
    "gdx.key.added",
    "gdx.key.revoked",
    "gdx.document_type.provider_set",
    "gdx.document_type.created",
    "gdx.document_type.renamed",
    "gdx.document_type.archived",
    "gdx.right.granted",
    "gdx.right.withdrawn",
    "gdx.member.identity_set",
    "gdx.key.certified",
    "gdx.directory.cosigned",
)
FEEDBACK = (
    "feedback.response_accepted",
    "feedback.response_rejected",
    "feedback.response_reopened",
    "feedback.reply_sent",
    "feedback.exported",
    "feedback.hashes_forgotten",
)
MANUAL = (
    "manual.service.created",
    "manual.service.updated",
    "manual.service.published",
    "manual.service.archived",
    "manual.service.reopened",
    "manual.service.imported",
    "manual.service.points_set",
    "manual.sample_form.added",
    "manual.sample_form.archived",
)
PROGRESS = (
    "progress.activity.rescheduled",
    "progress.phase.created",
    "progress.phase.renamed",
    "progress.phase.archived",
)
READINESS = (
    "readiness.round_created",
    "readiness.round_changed",
    "readiness.round_archived",
    "readiness.draft_started",
    "readiness.draft_saved",
    "readiness.superseded",
    "readiness.submitted",
    "readiness.reminders_sent",
    "readiness.limitation_option.created",
    "readiness.limitation_option.changed",
)
SERVICE_POINTS = (
    # service_point.<ServicePointChange.Kind> with each history row (service_points.services)
    "service_point.created",
    "service_point.moved",
    "service_point.edited",
    "service_point.published",
    "service_point.archived",
    "service_point.restored",
    "service_point.photo_added",
    "service_point.photo_removed",
    "service_point.imported",
    "service_point.api_key_created",
    "service_point.api_key_revoked",
)

COMPLAINTS = (
    "complaints.complaint.state_changed",
    "complaints.complaint.handed_over",
    "complaints.complaint.note_added",
    "complaints.complaint.moderated",
    "complaints.complaint.released",
    "complaints.template.saved",
    "complaints.partner_key.issued",
    "complaints.partner_key.revoked",
)

CONSOLE = ("console.followup.reminded",)

CITIZENS = (
    "citizens.citizen.signed_in",
    "citizens.citizen.archived",
    "citizens.contact.added",
    "citizens.contact.confirmed",
    "citizens.contact.removed",
    "citizens.consent.given",
    "citizens.consent.withdrawn",
    "citizens.data.exported",
    "citizens.contacts.erased",
    "citizens.retention.enforced",
    "complaints.complaint.contact_erased",
    "feedback.response.contact_erased",
)

LINE_CHANNEL = (
    "line_channel.link.begun",
    "line_channel.link.completed",
    "line_channel.link.refused",
    "line_channel.link.removed",
)

COUNTER = (
    "counter.path.set",
    "counter.record.created",
    "counter.record.voided",
)

ACTIONS: frozenset[str] = frozenset(
    (
        *ACCOUNTS,
        *AGENCIES,
        *CITIZENS,
        *COMPLAINTS,
        *CONSOLE,
        *COUNTER,
        *EXCHANGE,
        *FEEDBACK,
        *LINE_CHANNEL,
        *MANUAL,
        *PROGRESS,
        *READINESS,
        *SERVICE_POINTS,
    )
)
