"""Which models are audited on create, update and delete.

Each app registers its domain models in `AppConfig.ready()`::

    audit_model(models.Office)
    audit_model(models.User, exclude={"password", "last_login"})

Why signals here, when the style guide otherwise keeps logic out of them: auditing is
cross-cutting. Every write of every domain model must be recorded, including writes made by
services not yet written, forms, management commands and the jobs worker; a call in each
service would be forgotten sooner or later, and the trail's value is that it is complete.
The receivers record and do nothing else. Bulk `QuerySet.update()` and `bulk_create()` send
no signals: services that use them on audited models call `audit_record()` themselves.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from .models import REDACTED, Action
from .services import audit_record, json_safe

# Django sets it on every login; recording it would bury the trail in noise, and the login
# itself is recorded as a `login` entry.
IGNORED_WHEN_ALONE = frozenset({"last_login"})

# model -> fields whose values are never recorded (a change to them is, as REDACTED).
_registry: dict[type[models.Model], frozenset[str]] = {}

_BEFORE = "_audit_before"


def audit_model(model: type[Any], *, exclude: set[str] | None = None) -> None:
    """Register `model` so that every create, update and delete appends an audit entry.

    Args:
        model: A concrete model class.
        exclude: Field names whose values must never be stored (secrets, hashes). A change
            to one is still recorded, with both values shown as "[redacted]".

    Example:
        audit_model(Office)
    """
    _registry[model] = frozenset(exclude or ())
    uid = f"audit.{model._meta.label_lower}"
    pre_save.connect(_remember_before, sender=model, dispatch_uid=uid, weak=False)
    post_save.connect(_record_save, sender=model, dispatch_uid=uid, weak=False)
    post_delete.connect(_record_delete, sender=model, dispatch_uid=uid, weak=False)


def audited_models() -> dict[str, str]:
    """Return object_type -> verbose name for every registered model, for the filter form."""
    return {m._meta.label_lower: str(m._meta.verbose_name) for m in _registry}


def _snapshot(instance: models.Model, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Return the concrete fields of `instance` but `exclude`, as JSON-safe values, FKs as ids."""
    return {
        field.name: json_safe(field.value_from_object(instance))
        for field in instance._meta.concrete_fields
        if field.name not in exclude
    }


def _remember_before(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    # Not `_state.adding`: an instance built with the pk of an existing row updates that row.
    if instance.pk is None:
        return
    previous = sender._base_manager.using(kwargs.get("using")).filter(pk=instance.pk).first()
    if previous is not None:
        # Kept on the instance: only the save in progress reads it, and post_save removes it.
        instance.__dict__[_BEFORE] = previous


def _record_save(sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any) -> None:
    exclude = _registry.get(sender, frozenset())
    previous = instance.__dict__.pop(_BEFORE, None)
    if created:
        audit_record(action=Action.CREATE, obj=instance, after=_snapshot(instance, exclude))
        return
    if previous is None:  # the row vanished between the two signals: the old values are unknown
        audit_record(action=Action.UPDATE, obj=instance, after=_snapshot(instance, exclude))
        return
    old, new = _snapshot(previous), _snapshot(instance)
    changed = [name for name in new if old.get(name) != new[name]]
    if kwargs.get("update_fields"):
        # Only these were written; other attributes may differ in memory without being saved.
        saved = {
            f.name for f in sender._meta.concrete_fields if {f.name, f.attname} & kwargs["update_fields"]
        }
        changed = [name for name in changed if name in saved]
    if not set(changed) - IGNORED_WHEN_ALONE:
        return
    before = {name: REDACTED if name in exclude else old.get(name) for name in changed}
    after = {name: REDACTED if name in exclude else new[name] for name in changed}
    audit_record(action=Action.UPDATE, obj=instance, before=before, after=after)


def _record_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    exclude = _registry.get(sender, frozenset())
    audit_record(action=Action.DELETE, obj=instance, before=_snapshot(instance, exclude))
