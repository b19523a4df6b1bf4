import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.address import thai_address
from core.models import CleanTextMixin
from core.phone import ThaiPhoneModelField, normalize_thai_phone, validate_thai_phone
from core.text import normalize_for_search
from core.transitions import transition
from service_points import cells, divisions, geo

phone_validator = validate_thai_phone
postcode_validator = RegexValidator(r"^\d{5}$", _("Enter the 5-digit postcode."))


normalize_phone = normalize_thai_phone


def _cell_states(queryset, pks) -> dict[int, tuple]:
    """{id: (status, latitude, longitude)} as stored, in chunks (SQLite's parameter limit)."""
    pks = list(pks)
    states = {}
    for start in range(0, len(pks), 5000):
        for pk, *state in queryset.filter(pk__in=pks[start : start + 5000]).values_list(
            "pk", "status", "latitude", "longitude"
        ):
            states[pk] = tuple(state)
    return states


class ServicePointQuerySet(models.QuerySet):
    """Bulk writes that keep the map's cell table right (see cells.py), in their transaction."""

    def update(self, **kwargs):
        if not cells.CELL_FIELDS & set(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            before = {
                pk: tuple(state)
                for pk, *state in self.select_for_update()
                .order_by()
                .values_list("pk", "status", "latitude", "longitude")
            }
            rows = super().update(**kwargs)
            after = _cell_states(self.model._base_manager.using(self.db), before)
            deltas = cells.Deltas()
            for pk, state in before.items():
                deltas.change(pk, state, after.get(pk))
            deltas.apply(using=self.db)
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            published = [o for o in created if o.status == cells.PUBLISHED]
            if any(o.pk is None for o in published) or kwargs.get("update_conflicts"):
                rebuild_cells(using=self.db)  # cannot tell which rows were written: recount
            else:
                deltas = cells.Deltas()
                for o in published:
                    deltas.add(o.pk, o.status, o.latitude, o.longitude, +1)
                deltas.apply(using=self.db)
        return created

    # bulk_update() runs update() above for each batch, so it needs nothing of its own.


def rebuild_cells(*, using: str = "default") -> int:
    """Recounts the cell table from the published points; returns the number of cells."""
    connection = transaction.get_connection(using)
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":  # no point may change while we count
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {connection.ops.quote_name(ServicePoint._meta.db_table)} "
                    "IN SHARE MODE"
                )
        # Deleting first takes SQLite's write lock before the count.
        ServicePointCell.objects.using(using).all().delete()
        counted = cells.recount(
            ServicePoint._base_manager.using(using)
            .filter(status=cells.PUBLISHED)
            .values_list("pk", "latitude", "longitude")
            .order_by()
            .iterator(chunk_size=10_000)
        )
        ServicePointCell.objects.using(using).bulk_create(
            [
                ServicePointCell(y=y, x=x, n=n, lat_sum=la, lon_sum=lo, id_sum=i)
                for (y, x), (n, la, lo, i) in counted.items()
            ],
            batch_size=2000,
        )
    return len(counted)


class ServicePoint(CleanTextMixin, models.Model):
    """A place where citizens are served: one pin on the map (ปักหมุด)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Government(models.TextChoices):
        """OpenStreetMap's government=* values that fit Thai service points."""

        ADMINISTRATIVE = "administrative", _("Administration")
        REGISTER_OFFICE = "register_office", _("Civil registration")
        TAX = "tax", _("Tax")
        SOCIAL_SECURITY = "social_security", _("Social security")
        CADASTER = "cadaster", _("Land office")
        TRANSPORTATION = "transportation", _("Transport")
        CUSTOMS = "customs", _("Customs")
        HEALTHCARE = "healthcare", _("Health")
        EDUCATION = "education", _("Education")
        POLICE = "police", _("Police")
        OTHER = "other", _("Other")

    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="service_points",
    )
    name_th = models.CharField(_("name in Thai"), max_length=255)
    name_en = models.CharField(_("name in English"), max_length=255)
    government = models.CharField(
        _("kind of office"),
        max_length=32,
        choices=Government.choices,
        default=Government.ADMINISTRATIVE,
        help_text=_("Published as the OpenStreetMap tag government=*."),
    )
    house_number = models.CharField(_("house number"), max_length=50, blank=True)
    road = models.CharField(_("road"), max_length=200, blank=True)
    province_code = models.CharField(_("province"), max_length=2)
    district_code = models.CharField(_("district"), max_length=4)
    subdistrict_code = models.CharField(_("subdistrict"), max_length=6)
    postcode = models.CharField(_("postcode"), max_length=5, validators=[postcode_validator])
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    phone = ThaiPhoneModelField(_("phone"), validators=[validate_thai_phone])
    contact_name = models.CharField(
        _("contact person"),
        max_length=200,
        blank=True,
        help_text=_("Not published: only your agency and the programme team see it."),
    )
    contact_phone = ThaiPhoneModelField(
        _("contact person's phone"), blank=True, validators=[validate_thai_phone]
    )
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=255,
        blank=True,
        help_text=_("For example: Monday to Friday 08:30–16:30, closed on public holidays."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pinned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pinned_at = models.DateTimeField(_("pinned"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    search_text = models.TextField(editable=False, blank=True, verbose_name=_("search text"))
    objects = ServicePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["name_th", "pk"]
        indexes = [
            models.Index(fields=["status", "latitude", "longitude"], name="sp_status_lat_lon"),
            models.Index(fields=["status", "longitude", "latitude"], name="sp_status_lon_lat"),
            models.Index(fields=["agency", "status"], name="sp_agency_status"),
            models.Index(fields=["status", "province_code"], name="sp_status_province"),
        ]

    def __str__(self) -> str:
        return self.name_th

    def get_absolute_url(self) -> str:
        return reverse("service_points:detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def address(self, *, english: bool = False) -> str:
        names = self.division_names()
        lang = "en" if english else "th"
        return thai_address(
            province_code=self.province_code,
            subdistrict=names[f"subdistrict_{lang}"],
            district=names[f"district_{lang}"],
            province=names[f"province_{lang}"],
            house_number=self.house_number,
            road=self.road,
            postcode=self.postcode,
            english=english,
        )

    @property
    def address_text(self) -> str:
        """The address in the reader's language (English names where the list has them)."""
        return self.address(english=(get_language() or "th").startswith("en"))

    def division_names(self) -> dict[str, str]:
        return divisions.names(
            province_code=self.province_code,
            district_code=self.district_code,
            subdistrict_code=self.subdistrict_code,
        )

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self.phone = normalize_phone(self.phone)
        self.contact_phone = normalize_phone(self.contact_phone)
        province = divisions.province(self.province_code)
        district = divisions.district(self.district_code)
        subdistrict = divisions.subdistrict(self.subdistrict_code)
        if self.province_code and province is None:
            errors["province_code"] = [_("Choose a province from the list.")]
        if self.district_code and (
            district is None or district.province_code != self.province_code
        ):
            errors["district_code"] = [_("Choose a district of the chosen province.")]
        if self.subdistrict_code and (
            subdistrict is None or subdistrict.district_code != self.district_code
        ):
            errors["subdistrict_code"] = [_("Choose a subdistrict of the chosen district.")]
        elif (
            subdistrict is not None
            and self.postcode
            and self.postcode not in subdistrict.postal_codes
        ):
            errors["postcode"] = [
                _("This postcode is not used in the chosen subdistrict (its postcodes: %(codes)s).")
                % {"codes": ", ".join(subdistrict.postal_codes)}
            ]
        if self.latitude is not None and self.longitude is not None:
            try:
                lat, lon = float(self.latitude), float(self.longitude)
            except (TypeError, ValueError):
                lat = lon = None
            if lat is not None and not geo.in_thailand(lat, lon):
                errors["latitude"] = [
                    _(
                        "This position is outside Thailand. Check the pin: latitude comes first "
                        "(about 5.6 to 20.5), then longitude (about 97.3 to 105.7)."
                    )
                ]
        if errors:
            raise ValidationError(errors)

    def refresh_search_text(self) -> None:
        names = self.division_names()
        self.search_text = normalize_for_search(
            " ".join(
                [
                    self.name_th,
                    self.name_en,
                    names["province_th"],
                    names["province_en"],
                    names["district_th"],
                    names["district_en"],
                ]
            )
        )

    def save(self, *args, **kwargs):
        """Saves, and keeps the map's cell table right in the same transaction (cells.py).

        The state before is read from the database (locked), not from this instance, so a
        stale instance cannot put a wrong difference into the cells.
        """
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not cells.CELL_FIELDS & set(update_fields):
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router_db_for_write(self)
        with transaction.atomic(using=using, savepoint=False):
            before = None
            if self.pk is not None:
                before = _cell_states(
                    type(self)._base_manager.using(using).select_for_update(), [self.pk]
                ).get(self.pk)
            super().save(*args, **kwargs)
            after = tuple(
                getattr(self, name)
                if update_fields is None or name in update_fields or before is None
                else before[index]
                for index, name in enumerate(("status", "latitude", "longitude"))
            )
            deltas = cells.Deltas()
            deltas.change(self.pk, before, after)
            deltas.apply(using=using)

    def has_active_photo(self) -> bool:
        return (
            self.pk is not None
            and self.photos.filter(status=ServicePointPhoto.Status.ACTIVE).exists()
        )

    # --- transitions -------------------------------------------------------------------
    @transition(
        source=Status.DRAFT, target=Status.PUBLISHED, refused=_("Only a draft can be published.")
    )
    def publish(self) -> None:
        # The seed: a point goes on the public map with a photo that shows citizens the place.
        if not self.has_active_photo():
            raise ValidationError(
                _("Add at least one photo of the service point before publishing it.")
            )
        self.published_at = timezone.now()

    @transition(
        source=(Status.DRAFT, Status.PUBLISHED),
        target=Status.ARCHIVED,
        refused=_("This service point is already archived."),
    )
    def archive(self) -> None:
        self.archived_at = timezone.now()

    @transition(
        source=Status.ARCHIVED,
        target=Status.DRAFT,
        refused=_("Only an archived service point can be restored."),
    )
    def restore(self) -> None:
        self.archived_at = None


def router_db_for_write(instance) -> str:
    from django.db import router

    return router.db_for_write(type(instance), instance=instance)


class ServicePointCell(models.Model):
    """Published points per zoom-10 map cell: a rollup kept with every write (cells.py)."""

    y = models.IntegerField()  # floor((latitude + 90) / cells.FINE_SIZE)
    x = models.IntegerField()  # floor((longitude + 180) / cells.FINE_SIZE)
    n = models.IntegerField()
    lat_sum = models.BigIntegerField()  # 1e-7 degrees
    lon_sum = models.BigIntegerField()
    id_sum = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["y", "x"], name="sp_cell_y_x")]

    def __str__(self) -> str:
        return f"{self.y},{self.x}: {self.n}"


@receiver(pre_delete, sender=ServicePoint)
def _take_deleted_point_off_the_cells(sender, instance, using, **kwargs) -> None:
    """Points are archived, not deleted; should one be deleted, the cells follow (the
    collector runs this inside the delete's transaction; the stored state is read)."""
    before = _cell_states(sender._base_manager.using(using), [instance.pk]).get(instance.pk)
    deltas = cells.Deltas()
    deltas.change(instance.pk, before, None)
    deltas.apply(using=using)


def photo_path(instance: "ServicePointPhoto", filename: str) -> str:
    return f"service_points/{instance.point_id}/{secrets.token_hex(12)}.jpg"


def thumbnail_path(instance: "ServicePointPhoto", filename: str) -> str:
    return f"service_points/{instance.point_id}/thumbs/{secrets.token_hex(12)}.jpg"


class ServicePointPhoto(models.Model):
    """A re-encoded JPEG with no EXIF, and its thumbnail."""

    class Kind(models.TextChoices):
        COUNTER = "counter", _("Service counter")
        SIGN = "sign", _("Office sign")
        ENTRANCE = "entrance", _("Main entrance")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Shown")
        ARCHIVED = "archived", _("Removed")

    point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="photos")
    kind = models.CharField(_("what the photo shows"), max_length=16, choices=Kind.choices)
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.point} · {self.get_kind_display()}"

    @transition(
        source=Status.ACTIVE, target=Status.ARCHIVED, refused=_("This photo is already removed.")
    )
    def archive(self) -> None:
        pass


class ServicePointChange(models.Model):
    """The point's history: every move of the pin and every edit, never rewritten."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Pinned")
        MOVED = "moved", _("Pin moved")
        EDITED = "edited", _("Details edited")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")
        RESTORED = "restored", _("Restored as a draft")
        PHOTO_ADDED = "photo_added", _("Photo added")
        PHOTO_REMOVED = "photo_removed", _("Photo removed")

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        IMPORT = "import", _("Bulk import")

    point = models.ForeignKey(
        ServicePoint,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("service point"),
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("type of change"))
    source = models.CharField(
        max_length=8, choices=Source.choices, default=Source.WEB, verbose_name=_("channel")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_by_label = models.CharField(
        max_length=255, blank=True, verbose_name=_("changed by (as recorded)")
    )
    changed_at = models.DateTimeField(default=timezone.now, verbose_name=_("changed at"))
    changes = models.JSONField(
        default=dict, blank=True, verbose_name=_("what changed")
    )  # {"field": [before, after]}

    class Meta:
        verbose_name = _("service point change")
        verbose_name_plural = _("service point changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["point", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.point_id} {self.kind}"


class ApiKey(models.Model):
    """A per-agency key for agency systems. Only a SHA-256 of the secret is stored."""

    PREFIX_LENGTH = 8

    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="service_point_api_keys",
        verbose_name=_("agency"),
    )
    name = models.CharField(_("what uses this key"), max_length=100)
    prefix = models.CharField(
        max_length=PREFIX_LENGTH, unique=True, editable=False, verbose_name=_("key prefix")
    )
    key_hash = models.CharField(max_length=64, editable=False, verbose_name=_("key hash"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @staticmethod
    def hash(secret: str) -> str:
        # Keys are 256-bit random, so a fast hash is enough (nothing to brute-force).
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def generate(cls) -> tuple[str, str]:
        """(prefix, full key). The full key is shown once and never stored."""
        prefix = secrets.token_hex(cls.PREFIX_LENGTH // 2)
        return prefix, f"sp_{prefix}_{secrets.token_urlsafe(32)}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is not None:
            raise ValidationError(_("This key is already revoked."))
        self.revoked_at = timezone.now()
