"""The GDX hub: members and their keys, the document catalogue, access rights, the
exchanges it routed (metadata only) and the Merkle audit log.

Nothing here ever holds a citizen ID, a name, an address or a document: the hub only
sees sealed envelopes, and keeps their headers and digests.
"""

import hashlib

from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.transitions import transition
from gdx_protocol.errors import GdxError
from gdx_protocol.keys import kem_algorithm, signature_algorithm

code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$", _("Use lowercase English letters, digits and underscores.")
)


class Member(models.Model):
    """An agency registered with the hub. Its member id on the wire is its agency code."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    agency = models.OneToOneField(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="gdx_member",
    )
    code = models.CharField(_("member id"), max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    endpoint = models.URLField(
        _("node address"),
        blank=True,
        help_text=_("Base URL of the agency node that answers requests; empty for consumers."),
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # The agency's long-term identity key (ADR 0006): it certifies the member's keys, so
    # nodes use only keys the agency itself vouched for. Empty for members not yet migrated.
    identity_algorithm = models.CharField(_("identity key algorithm"), max_length=32, blank=True)
    identity_key = models.BinaryField(_("identity key"), max_length=4096, blank=True, default=b"")

    class Meta:
        verbose_name = _("exchange member")
        verbose_name_plural = _("exchange members")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def identity_kid(self) -> str:
        raw = bytes(self.identity_key or b"")
        return hashlib.sha256(raw).hexdigest() if raw else ""

    def save(self, *args, **kwargs):
        if not self.code and self.agency_id:
            self.code = self.agency.code
        super().save(*args, **kwargs)

    @transition(source=Status.ACTIVE, target=Status.SUSPENDED)
    def suspend(self) -> None:
        self.status_changed_at = timezone.now()

    @transition(source=Status.SUSPENDED, target=Status.ACTIVE)
    def reactivate(self) -> None:
        self.status_changed_at = timezone.now()

    @transition(source=(Status.ACTIVE, Status.SUSPENDED), target=Status.REVOKED)
    def revoke(self) -> None:
        """Final: a revoked member never exchanges again (register a new one instead)."""
        self.status_changed_at = timezone.now()


# Raw public key sizes: Ed25519 and X25519 (RFC 8032, 7748), ML-DSA-65 (FIPS 204),
# ML-KEM-768 + X25519 (X-Wing style: 1184-byte ML-KEM key then 32-byte X25519 key).
PUBLIC_KEY_SIZES = {"ed25519": 32, "x25519": 32, "ml-dsa-65": 1952, "mlkem768x25519": 1216}


def public_key_fits(algorithm: str, raw: bytes) -> bool:
    """Whether `raw` is a public key of `algorithm`: its size, then the library loads it, so
    an encryption key is never accepted as a signing key (nor the other way round)."""
    if PUBLIC_KEY_SIZES.get(algorithm) != len(raw):
        return False
    try:
        if algorithm == "ed25519":
            ed25519.Ed25519PublicKey.from_public_bytes(raw)
        elif algorithm in ("x25519", "mlkem768x25519"):
            kem_algorithm(algorithm).hpke_public(raw)
    except (ValueError, GdxError):
        return False
    return True


def public_key_misfit(algorithm: str, raw: bytes) -> str:
    """Why ``raw`` is not a public key of ``algorithm`` ("" when it is one)."""
    if public_key_fits(algorithm, raw):
        return ""
    return _(
        "This is not a %(algorithm)s public key (%(size)d bytes). Check the key's use and "
        "algorithm."
    ) % {"algorithm": algorithm, "size": len(raw)}


class MemberKey(models.Model):
    """A member's public key. kid = SHA-256 of the raw key; windows overlap during rotation."""

    class Use(models.TextChoices):
        SIGNING = "sig", _("Signing")
        ENCRYPTION = "enc", _("Encryption")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="keys"
    )
    use = models.CharField(_("use"), max_length=3, choices=Use.choices)
    algorithm = models.CharField(
        _("key algorithm"), max_length=32
    )  # not bare "algorithm": Django auth's Thai leaves that English
    public_key = models.BinaryField(_("public key"), max_length=4096)
    kid = models.CharField(_("key id"), max_length=64, unique=True, editable=False)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Signature of the member's identity key over this key (gdx_protocol.trust).
    certificate = models.BinaryField(_("certificate"), max_length=8192, blank=True, default=b"")

    class Meta:
        verbose_name = _("member key")
        verbose_name_plural = _("member keys")
        ordering = ["member__code", "use", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.use}:{self.kid[:12]}"

    def save(self, *args, **kwargs):
        self.kid = hashlib.sha256(bytes(self.public_key)).hexdigest()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        raw = bytes(self.public_key or b"")
        if not raw:
            raise ValidationError({"public_key": _("Enter the public key.")})
        try:
            if self.use == self.Use.SIGNING:
                signature_algorithm(self.algorithm)
            else:
                kem_algorithm(self.algorithm)
        except GdxError:
            raise ValidationError(
                {"algorithm": _("This algorithm is not supported for this use.")}
            ) from None
        misfit = public_key_misfit(self.algorithm, raw)
        if misfit:
            raise ValidationError({"public_key": misfit})
        self.kid = hashlib.sha256(raw).hexdigest()
        if self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end must be after the start.")})

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self, *, reason: str = "") -> None:
        """Takes effect at once: the hub refuses the key from the next request on."""
        if self.revoked_at is not None:
            raise ValidationError(_("This key is already revoked."), code="illegal_transition")
        self.revoked_at = timezone.now()
        self.revoked_reason = reason


class DocumentType(models.Model):
    """A kind of registry document the hub can route, and the member that provides it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name_th = models.CharField(_("name in Thai"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    provider = models.ForeignKey(
        Member,
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provided_document_types",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_th or self.code

    @transition(source=Status.ACTIVE, target=Status.ARCHIVED)
    def archive(self) -> None:
        pass


class AccessRight(models.Model):
    """Consumer × document type × declared purpose, inside a validity window."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    consumer = models.ForeignKey(
        Member, verbose_name=_("consumer"), on_delete=models.PROTECT, related_name="rights"
    )
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(
        _("declared purpose"),
        max_length=200,
        help_text=_("Requests must declare exactly this purpose."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=256, blank=True)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("access right")
        verbose_name_plural = _("access rights")
        ordering = ["consumer__code", "document_type__code", "purpose"]
        indexes = [models.Index(fields=["consumer", "document_type", "purpose"])]

    def __str__(self) -> str:
        return f"{self.consumer_id} · {self.document_type_id} · {self.purpose}"

    def clean(self) -> None:
        if self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end must be after the start.")})

    @transition(source=Status.ACTIVE, target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        self.withdrawn_at = timezone.now()


class Exchange(models.Model):
    """One request routed (or refused) by the hub: metadata and digests only."""

    class Status(models.TextChoices):
        FORWARDED = "forwarded", _("Forwarded to the provider")
        DELIVERED = "delivered", _("Delivered")
        REFUSED = "refused", _("Refused by the hub")
        FAILED = "failed", _("Failed at the provider")

    request_id = models.UUIDField(_("request id"), unique=True)
    consumer = models.ForeignKey(
        Member, verbose_name=_("consumer"), on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        Member,
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    document_type = models.CharField(_("document type"), max_length=40)
    purpose = models.CharField(_("declared purpose"), max_length=500)
    officer = models.CharField(_("officer"), max_length=128)
    legal_basis = models.CharField(_("legal basis"), max_length=256, blank=True)
    subject_pseudonym = models.CharField(_("subject pseudonym"), max_length=64, db_index=True)
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    refusal_code = models.CharField(_("refusal code"), max_length=40, blank=True)
    request_digest = models.CharField(_("request digest"), max_length=64)
    response_digest = models.CharField(_("response digest"), max_length=64, blank=True)
    request_leaf_index = models.BigIntegerField(_("request log index"), null=True, blank=True)
    response_leaf_index = models.BigIntegerField(_("response log index"), null=True, blank=True)
    hub_ms = models.FloatField(_("hub time (ms)"), null=True, blank=True)

    class Meta:
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        ordering = ["-received_at", "-id"]
        # A citizen's readings, newest log index first (selectors.subject_readings).
        indexes = [
            models.Index(
                fields=["subject_pseudonym", "-request_leaf_index"],
                name="exchange_subject_readings",
            )
        ]

    def __str__(self) -> str:
        return str(self.request_id)

    @transition(source=Status.FORWARDED, target=Status.DELIVERED)
    def deliver(self, *, response_digest: str) -> None:
        self.response_digest = response_digest
        self.completed_at = timezone.now()

    @transition(source=Status.FORWARDED, target=Status.FAILED)
    def fail(self, *, code: str) -> None:
        self.refusal_code = code[:40]
        self.completed_at = timezone.now()


class AuditLogLeaf(models.Model):
    """One leaf of the RFC 6962 audit log. Append-only: never updated, never deleted."""

    index = models.BigIntegerField(_("index"), unique=True)
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    data = models.BinaryField(_("leaf data"))  # canonical JSON metadata (gdx_protocol.audit_leaf)
    event = models.CharField(_("event"), max_length=16)
    request_id = models.UUIDField(_("request id"), db_index=True)
    subject_pseudonym = models.CharField(_("subject pseudonym"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("audit log leaf")
        verbose_name_plural = _("audit log leaves")
        ordering = ["index"]

    def __str__(self) -> str:
        return f"#{self.index} {self.event}"


class MerkleSubtree(models.Model):
    """Cached hash of a perfect subtree (level ≥ 1): it never changes once complete."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="exchange_subtree_unique")
        ]

    def __str__(self) -> str:
        return f"{self.level}/{self.index}"


class LogState(models.Model):
    """Single row holding the tree size; locked while appending so leaves stay in order."""

    tree_size = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.tree_size)


class SignedTreeHead(models.Model):
    tree_size = models.BigIntegerField(_("tree size"), db_index=True)
    timestamp_ms = models.BigIntegerField(_("timestamp (ms)"))
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    sig_alg = models.CharField(_("signature algorithm"), max_length=32)
    signer_kid = models.CharField(_("signer key id"), max_length=64)
    signature = models.BinaryField(_("signature"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")
        ordering = ["-tree_size", "-id"]

    def __str__(self) -> str:
        return f"{self.tree_size} {bytes(self.root_hash).hex()[:16]}"


class DirectoryState(models.Model):
    """Single row: the serial of the signed directory, bumped on every member or key change,
    and ``version``, a random token replaced on every change to members, keys, document types
    or access rights (``exchange.signals``). The hub's per-process cache of those tables
    (``exchange.hub.snapshot``) is keyed by ``version`` and read again on every exchange, so a
    revocation committed a moment ago is seen at once. A random token, not a counter: a
    rolled-back change can never make an old cache entry look current again.

    Changes that bypass ``Model.save()`` (``QuerySet.update()``, ``bulk_create``, raw SQL)
    on those tables must call ``exchange.hub.directory_changed()`` in the same transaction.
    """

    serial = models.BigIntegerField(default=1)
    version = models.CharField(max_length=32, blank=True, default="", editable=False)

    def __str__(self) -> str:
        return str(self.serial)


class DirectoryPublication(models.Model):
    """One hub-signed directory exactly as published. Witnesses cosign these bytes, so the
    hub signs a serial once (again only when half its validity has passed), not per request."""

    serial = models.BigIntegerField(_("serial"), db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    document = models.BinaryField(_("signed directory"))
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("published directory")
        verbose_name_plural = _("published directories")
        ordering = ["-serial", "-issued_at"]

    def __str__(self) -> str:
        return f"{self.serial}:{self.digest[:12]}"


class DirectoryCosignature(models.Model):
    """A witness's cosignature of one published directory (ADR 0006). Append-only."""

    publication = models.ForeignKey(
        DirectoryPublication,
        verbose_name=_("published directory"),
        on_delete=models.PROTECT,
        related_name="cosignatures",
    )
    witness = models.CharField(_("witness"), max_length=64)
    witness_kid = models.CharField(_("witness key id"), max_length=64)
    cosignature = models.JSONField(_("cosignature"))
    created_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("directory cosignature")
        verbose_name_plural = _("directory cosignatures")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "witness_kid"], name="one_cosignature_per_witness"
            )
        ]

    def __str__(self) -> str:
        return f"{self.witness}:{self.publication_id}"
