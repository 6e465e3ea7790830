"""JSON API under /api/, with an OpenAPI schema at /api/openapi.json and docs at /api/docs.

Authentication: the browser session (with its CSRF token) or ``Authorization: Bearer <token>``
with a token issued on the user's account page. Every endpoint checks the same capabilities
as the pages (accounts/roles.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

import arusha
from arusha_web.accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.matching(token)
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="Arusha API",
    version=arusha.__version__,
    description="Integrity management and analytics for Customs administrations.",
    auth=[SessionAuth(), BearerToken()],
    urls_namespace="api",
    # The schema and its docs page are for signed-in users only, like every other page.
    docs_decorator=login_required,
)

from . import routes  # noqa: E402,F401  (registers the endpoints on `api`)

# Module routers: each module keeps its endpoints next to its code.
api.add_router("/cases", "arusha_web.cases.api.router")
