"""The root URLs without other module apps, so this app's tests do not depend on their state.

Other apps are developed in the same tree at the same time; a broken import there must not
hide a regression here. The full tree is still walked by core's access-matrix test.
"""

from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("arusha_web.core.urls")),
    path("accounts/", include("arusha_web.accounts.urls")),
    path("org/", include("arusha_web.org.urls")),
    path("audit/", include("arusha_web.audit.urls")),
    path("jobs/", include("arusha_web.jobs.urls")),
    path("cases/", include("arusha_web.cases.urls")),
    path("report/", include("arusha_web.cases.public_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]

# This app's API router on an API of its own (the platform API mounts `cases.api.router`).
from ninja import NinjaAPI  # noqa: E402
from ninja.security import SessionAuth  # noqa: E402

from arusha_web.api import BearerToken  # noqa: E402
from arusha_web.cases.api import build_router  # noqa: E402

test_api = NinjaAPI(auth=[SessionAuth(), BearerToken()], urls_namespace="cases_test_api")
test_api.add_router("/cases", build_router())
urlpatterns.append(path("api/", test_api.urls))
