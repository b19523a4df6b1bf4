"""Any change to members, keys, the catalogue or access rights replaces the directory
version (and, for members and keys, bumps the published directory's serial), in the same
transaction as the change. The hub's cached view of those tables is keyed by that version."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from exchange.hub import directory_changed
from exchange.models import AccessRight, DocumentType, Member, MemberKey


def _published(sender: Any, **kwargs: Any) -> None:
    directory_changed(published=True)


def _routing(sender: Any, **kwargs: Any) -> None:
    directory_changed(published=False)


def connect() -> None:
    handlers: list[tuple[type[Model], Callable[..., None]]] = [
        (Member, _published),
        (MemberKey, _published),
        (DocumentType, _routing),
        (AccessRight, _routing),
    ]
    for model, handler in handlers:
        name = model.__name__
        post_save.connect(handler, sender=model, dispatch_uid=f"gdx-dir-{name}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"gdx-dir-del-{name}")
