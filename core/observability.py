"""A request id on every request and log line, and logs as JSON lines (ADR 0130).

`RequestIdMiddleware` (first in MIDDLEWARE) takes nginx's `X-Request-ID` (`proxy_set_header
X-Request-ID $request_id;`) when it is a plausible id, makes one otherwise, returns it in the
response's `X-Request-ID`, and puts it on every log record of the request (`RequestIdFilter`).
With `LOG_FORMAT=json` each record is one JSON object per line (`JsonFormatter`); with
`LOG_REQUESTS=1` each request also logs one line: method, path, status, milliseconds, node.
"""

import contextvars
import json
import logging
import os
import re
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_PLAUSIBLE = re.compile(r"[A-Za-z0-9._:-]{8,128}")
NODE = os.environ.get("WEB_NODE_NAME") or f"{socket.gethostname()}:{os.environ.get('PORT', '')}"
access_log = logging.getLogger("citizeninfo.request")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _PLAUSIBLE.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if settings.LOG_REQUESTS:
                access_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "node": NODE,
                        "request_id": request_id,
                    },
                )
            return response
        finally:
            REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


# What a LogRecord always has; anything else on it came through `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
        }
        entry.update(
            {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
