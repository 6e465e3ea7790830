from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "arusha_web.jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # Each app declares its job kinds in job_kinds.py; the web process and the worker
        # must both know all of them.
        autodiscover_modules("job_kinds")
