"""Where phone confirmation codes go (CITIZEN_SMS_BACKEND).

"file": one text file per message in CITIZEN_SMS_DIR (the demo, like var/mail); "memory":
`outbox` (tests); "": phone linking is off. A real SMS gateway plugs in here.
"""

import os
import time
from pathlib import Path

from django.conf import settings

outbox: list[tuple[str, str]] = []


def enabled() -> bool:
    return settings.CITIZEN_SMS_BACKEND in ("file", "memory")


def send_sms(*, to: str, text: str) -> None:
    backend = settings.CITIZEN_SMS_BACKEND
    if backend == "memory":
        outbox.append((to, text))
    elif backend == "file":
        folder = Path(settings.CITIZEN_SMS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        name = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}.txt"
        name.write_text(f"To: {to}\n\n{text}\n", encoding="utf-8")
    else:
        raise RuntimeError("phone confirmation is off (CITIZEN_SMS_BACKEND)")
