"""`python -m ops.enqueue TAG N` (the tasks drill): N mail tasks whose subjects carry TAG."""

import sys

import django

django.setup()

from core.tasks import send_email  # noqa: E402

if __name__ == "__main__":
    tag, n = sys.argv[1], int(sys.argv[2])
    for i in range(n):
        send_email.enqueue(to=["drill@example.invalid"], subject=f"drill {tag} {i}", body=tag)
