from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "arusha_web.risks"
    verbose_name = _("Risks")

    def ready(self) -> None:
        from arusha_web.accounts.roles import Role as R
        from arusha_web.accounts.roles import register_capabilities
        from arusha_web.audit.registry import audit_model

        from . import models

        register_capabilities(
            {
                # Read the register, the maps and the reports (auditors read, never write).
                "risks.view": {R.ADMINISTRATOR, R.INTEGRITY, R.ANALYST, R.OFFICE_MANAGER, R.AUDITOR},
                # Record and rate risks; office managers only for their own office (selectors.py).
                "risks.edit": {R.INTEGRITY, R.OFFICE_MANAGER},
                # The process catalogue, the scales, bands and matrix.
                "risks.configure": {R.ADMINISTRATOR, R.INTEGRITY},
                # Bulk import of the register from XLSX; office managers for their own office's rows.
                "risks.import": {R.ADMINISTRATOR, R.INTEGRITY, R.OFFICE_MANAGER},
            }
        )
        for model in (
            models.Process,
            models.ProcessStep,
            models.ScaleLevel,
            models.Band,
            models.MatrixCell,
            models.Risk,
            models.Control,
            models.RiskAction,
            models.RatingChange,
        ):
            audit_model(model)
