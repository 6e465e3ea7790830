from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "arusha_web.org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from arusha_web.audit.registry import audit_model

        from . import models

        for model in (models.Administration, models.Office, models.Unit, models.StaffRecord):
            audit_model(model)
