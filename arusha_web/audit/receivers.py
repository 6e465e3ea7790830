"""Login, logout and failed-login entries, from django.contrib.auth's signals.

Connected in `AuditConfig.ready()`. Like the model receivers in registry.py, these only
record: see there for why signals are used at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import Action
from .services import audit_record


@receiver(user_logged_in, dispatch_uid="audit.user_logged_in")
def _record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=Action.LOGIN, actor=user, obj=user)


@receiver(user_logged_out, dispatch_uid="audit.user_logged_out")
def _record_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        audit_record(action=Action.LOGOUT, actor=user, obj=user)


@receiver(user_login_failed, dispatch_uid="audit.user_login_failed")
def _record_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # Only the name that was typed: `credentials` also holds the (masked) password, and the
    # request's address is deliberately not stored (see models.py).
    field = get_user_model().USERNAME_FIELD
    attempted = str(credentials.get(field) or credentials.get("username") or "")[:150]
    audit_record(
        action=Action.LOGIN_FAILED,
        object_type=get_user_model()._meta.label_lower,
        object_repr=attempted,
        after={"username": attempted},
    )
