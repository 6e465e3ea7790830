"""Arusha web application: the Django project that sits on the `arusha` analytics library."""
