from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.parsing import json_document
from line_channel import client, conf, services


@csrf_exempt  # LINE signs the body instead (X-Line-Signature)
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Verifies the signature before reading anything, stores the events, answers 200 at
    once; the task worker handles them (ADR 0120)."""
    if not conf.enabled():
        return HttpResponse("The LINE channel is off.", status=404, content_type="text/plain")
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return HttpResponse(status=400)
    if not client.signature_valid(body, request.headers.get("X-Line-Signature", "")):
        return HttpResponse("Bad signature.", status=403, content_type="text/plain")
    try:
        services.webhook_accept(payload=json_document(body))
    except ValidationError:
        return HttpResponse("Bad webhook body.", status=400, content_type="text/plain")
    return HttpResponse(status=200)
