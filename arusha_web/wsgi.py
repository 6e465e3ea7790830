"""WSGI entry point for gunicorn / granian: ``gunicorn arusha_web.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arusha_web.settings")
application = get_wsgi_application()
