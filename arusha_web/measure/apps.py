from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasureConfig(AppConfig):
    name = "arusha_web.measure"
    verbose_name = _("Measure")

    def ready(self) -> None:
        from arusha_web.accounts.roles import Role as R
        from arusha_web.accounts.roles import register_capabilities
        from arusha_web.audit.registry import audit_model

        from . import models

        register_capabilities(
            {
                # Dashboards, contracts and scorecards of everyone (managers: their office only).
                "measure.view": {R.ADMINISTRATOR, R.INTEGRITY, R.ANALYST, R.OFFICE_MANAGER, R.AUDITOR},
                # Upload clearance exports, load them, run analyses; see trial analyses.
                "measure.data": {R.ADMINISTRATOR, R.INTEGRITY, R.ANALYST},
                # Make an analysis the official one that every page shows (audited).
                "measure.publish": {R.INTEGRITY, R.ANALYST},
                # Triage leads (managers: leads of their office only).
                "measure.leads": {R.INTEGRITY, R.ANALYST, R.OFFICE_MANAGER},
                # Draft, sign and amend performance contracts (managers: their office only).
                "measure.contracts.manage": {R.INTEGRITY, R.OFFICE_MANAGER},
                # Declarant and importer pages (commercial data, across offices: not office managers).
                "measure.traders": {R.ADMINISTRATOR, R.INTEGRITY, R.ANALYST, R.AUDITOR},
                # Set the thresholds of the anti-gaming view (the integrity unit).
                "measure.configure": {R.ADMINISTRATOR, R.INTEGRITY},
                # Frontline staff see their own scorecard and contract.
                "measure.scorecard.own": {R.STAFF},
            }
        )
        # IndicatorValue is imported in bulk (the run itself is audited); the rest by model.
        for model in (
            models.Dataset,
            models.SourceFile,
            models.ImportRun,
            models.AnalysisRun,
            models.Publication,
            models.Lead,
            models.LeadComment,
            models.Referral,
            models.Contract,
            models.ContractVersion,
            models.ContractTarget,
            models.ReviewNote,
            models.AntiGamingThresholds,
        ):
            audit_model(model)
