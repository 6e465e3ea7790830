"""The administration as the clearance data sees it: offices by code, officers by identifier."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Administration(models.Model):
    """The customs administration using this installation (usually exactly one)."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    country_code = models.CharField(_("country (ISO 3166 alpha-2)"), max_length=2, blank=True)
    currency = models.CharField(_("national currency"), max_length=3, blank=True)

    class Meta:
        verbose_name = _("administration")
        verbose_name_plural = _("administrations")

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """A customs office; `code` is the `office_code` used in clearance data."""

    administration = models.ForeignKey(Administration, on_delete=models.PROTECT, related_name="offices")
    code = models.CharField(_("office code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            # One name per office within an administration, whatever the case (the form says so
            # in words; this guards every other way in).
            models.UniqueConstraint(Lower("name"), "administration", name="org_office_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Unit(models.Model):
    """An organisational unit (a service, a brigade, the integrity unit...)."""

    administration = models.ForeignKey(Administration, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("office"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.UniqueConstraint(fields=["administration", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class StaffRecord(models.Model):
    """A member of staff; `officer_id` is the identifier that clearance data carries."""

    administration = models.ForeignKey(Administration, on_delete=models.PROTECT, related_name="staff")
    officer_id = models.CharField(_("officer identifier"), max_length=64, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    post = models.CharField(_("post"), max_length=120, blank=True)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("office"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("unit")
    )
    start_date = models.DateField(_("start date in post"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_record",
        verbose_name=_("user account"),
    )

    class Meta:
        ordering = ["officer_id"]
        verbose_name = _("staff record")
        verbose_name_plural = _("staff records")

    def __str__(self) -> str:
        return f"{self.officer_id} — {self.full_name}"
