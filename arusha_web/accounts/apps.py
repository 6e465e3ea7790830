from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "arusha_web.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from arusha_web.audit.registry import audit_model

        from . import models

        audit_model(models.User, exclude={"password", "last_login"})
        audit_model(models.ApiToken, exclude={"key_hash"})
