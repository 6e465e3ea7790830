from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "arusha_web.audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from arusha_web.accounts.roles import Role, register_capabilities

        from . import receivers  # noqa: F401  (connects the login/logout receivers)

        register_capabilities(
            {
                # Read need-to-know entries of the trail in full (cases, reports, leads about
                # people; need_to_know.py): the integrity unit, whose work they record, and
                # auditors, who check that cases were handled by the rules. Administrators see
                # these entries masked, as they do not see cases.
                "audit.need_to_know": {Role.INTEGRITY, Role.AUDITOR},
            }
        )
