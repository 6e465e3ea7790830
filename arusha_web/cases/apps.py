from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "arusha_web.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from arusha_web.accounts.roles import ALL_ROLES, Role, register_capabilities
        from arusha_web.audit.registry import audit_model

        from . import models

        register_capabilities(
            {
                # The integrity unit triages the intake, opens cases and assigns investigators.
                "cases.triage": {Role.INTEGRITY},
                # Case files: the integrity unit, and investigators for their assigned cases only.
                "cases.investigate": {Role.INTEGRITY, Role.INVESTIGATOR},
                # Statistics without personal data, for management and audit.
                "cases.statistics": {Role.INTEGRITY, Role.AUDITOR},
                # Any member of staff may report from his account.
                "cases.submit": set(ALL_ROLES),
            }
        )
        # Reports and messages are not registered: services record their events without
        # the reporter (see services.py). Encrypted texts are redacted from the trail.
        audit_model(models.Case, exclude={"conclusion_enc"})
        audit_model(models.CaseEntry, exclude={"text_enc"})
