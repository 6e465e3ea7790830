"""Root URLs. Every view checks access itself (see accounts/roles.py); the access-matrix
test walks this whole tree, so a new URL without an entry there fails the suite."""

from django.urls import include, path

from arusha_web.accounts import views as account_views
from arusha_web.api import api
from arusha_web.jobs import views as jobs_views

urlpatterns = [
    path("", include("arusha_web.core.urls")),
    path("accounts/", include("arusha_web.accounts.urls")),
    path("org/", include("arusha_web.org.urls")),
    path("audit/", include("arusha_web.audit.urls")),
    path("jobs/", include("arusha_web.jobs.urls")),
    path("diagnose/", include("arusha_web.diagnose.urls")),
    path("risks/", include("arusha_web.risks.urls")),
    path("cases/", include("arusha_web.cases.urls")),
    path("measure/", include("arusha_web.measure.urls")),
    # Public pages, no login: the perception survey and the reporting channel.
    path("s/", include("arusha_web.diagnose.public_urls")),
    path("report/", include("arusha_web.cases.public_urls")),
    path("api/", api.urls),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("healthz", jobs_views.health, name="healthz"),
]

handler400 = "arusha_web.core.views.bad_request"
handler403 = "arusha_web.core.views.permission_denied"
handler404 = "arusha_web.core.views.page_not_found"
