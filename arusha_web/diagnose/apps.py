from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnoseConfig(AppConfig):
    name = "arusha_web.diagnose"
    verbose_name = _("Diagnose")

    def ready(self) -> None:
        from arusha_web.accounts.roles import Role as R
        from arusha_web.accounts.roles import register_capabilities
        from arusha_web.audit.registry import audit_model

        from . import models

        register_capabilities(
            {
                # The module's start page and one's own invitations.
                "diagnose.view": {
                    R.ADMINISTRATOR,
                    R.INTEGRITY,
                    R.ANALYST,
                    R.OFFICE_MANAGER,
                    R.AUDITOR,
                    R.STAFF,
                },
                # Read results, reports and the action plan.
                "diagnose.results": {R.ADMINISTRATOR, R.INTEGRITY, R.ANALYST, R.OFFICE_MANAGER, R.AUDITOR},
                # Run campaigns, edit the question bank, the workshop results, surveys and actions.
                "diagnose.manage": {R.ADMINISTRATOR, R.INTEGRITY},
                # Edit actions of the integrity action plan; office managers their office's only.
                "diagnose.actions": {R.ADMINISTRATOR, R.INTEGRITY, R.OFFICE_MANAGER},
                # Approve the action plan on behalf of the integrity committee.
                "diagnose.approve": {R.INTEGRITY},
            }
        )
        # Answer sheets and survey responses are deliberately NOT audited by model: an audit
        # entry names the actor, which would link an anonymous answer to an account. Nor is whom
        # a reminder went to (it says who had not answered yet): only when and by whom. Nor is
        # a participant's "responded" mark, which a deletion's snapshot would carry. Entries
        # written before this carry both: audit/need_to_know.py masks them for every reader.
        hidden: dict[object, set[str]] = {
            models.Participant: {"token", "responded_at"},
            models.Reminder: {"participant"},
        }
        for model in (
            models.Factor,
            models.Element,
            models.Assessment,
            models.Participant,
            models.FactorResult,
            models.ActionPlan,
            models.Action,
            models.Survey,
            models.SurveyItem,
            models.WordingVersion,
            models.Reminder,
        ):
            audit_model(model, exclude=hidden.get(model))
