"""Which of the seed's two ways to stop asking for copies fits an agency (ADR 0051).

The seed: "(1) read the ID card offline (for agencies not yet ready to link data);
(2) read the civil registration database online, A. with DOPA's tools, B. with EGA's".
The path is derived from the answers on linkage (Q6), the MOU (Q5), an information
system (Q1) and card readers (Q7); nothing else.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from readiness.models import SurveyResponse

OFFLINE = "offline"
ONLINE_DOPA = "online_dopa"
ONLINE_EGA = "online_ega"

PATH_LABELS = {
    OFFLINE: _("Read the ID card offline with a smart-card reader"),
    ONLINE_DOPA: _(
        "Read the civil registration database online with the tools of the Department of "
        "Provincial Administration (Linkage Center)"
    ),
    ONLINE_EGA: _("Read the civil registration database online with EGA's tools (GDX)"),
}


@dataclass
class Recommendation:
    path: str
    label: str
    reasons: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)


def recommend(response: SurveyResponse) -> Recommendation:
    r = SurveyResponse
    reasons: list[str] = []
    steps: list[str] = []
    if response.q6_linkage == r.Linkage.LINKED:
        path = ONLINE_DOPA
        reasons.append(str(_("Your agency already links data with DOPA.")))
        steps.append(
            str(
                _(
                    "Use the linked data at every service point and stop asking for "
                    "the copies in each process ticked in the table."
                )
            )
        )
    elif response.q6_linkage == r.Linkage.IN_PROGRESS or response.q5_mou == r.Mou.YES:
        path = ONLINE_DOPA
        if response.q6_linkage == r.Linkage.IN_PROGRESS:
            reasons.append(str(_("Your agency is linking data with DOPA.")))
        else:
            reasons.append(str(_("Your agency has an MOU with DOPA.")))
        steps.append(str(_("Finish the linkage with DOPA's Linkage Center.")))
        steps.append(
            str(
                _(
                    "Until it is finished, read the ID card offline with a "
                    "smart-card reader instead of asking for copies."
                )
            )
        )
    elif response.q1_system in (r.InfoSystem.YES, r.InfoSystem.DEVELOPING):
        path = ONLINE_EGA
        reasons.append(
            str(_("Your agency has an information system but no MOU or linkage with DOPA."))
        )
        steps.append(str(_("Contact EGA to connect your information system through GDX.")))
        steps.append(
            str(_("Until it is connected, read the ID card offline with a smart-card reader."))
        )
    else:
        path = OFFLINE
        reasons.append(str(_("Your agency is not yet ready to link data online.")))
        steps.append(
            str(
                _(
                    "Read the citizen's ID card with a smart-card reader at the "
                    "counter instead of asking for copies."
                )
            )
        )
    if response.q7_readers == r.Readers.INSUFFICIENT and response.q7_readers_needed:
        steps.append(
            str(_("Obtain the %(count)d smart-card readers your agency still needs."))
            % {"count": response.q7_readers_needed}
        )
    elif response.q7_readers == r.Readers.SUFFICIENT:
        reasons.append(str(_("Your agency has enough smart-card readers.")))
    steps.append(
        str(_("Update the processes in your Citizen's Manual so they no longer list the copies."))
    )
    return Recommendation(
        path=path, label=str(PATH_LABELS[path]), reasons=reasons, next_steps=steps
    )
