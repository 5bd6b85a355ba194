from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
application = get_wsgi_application()


def _refuse_demo_key() -> None:
    """The web process never serves with the demo key unless DEBUG is on: sessions, CSRF tokens
    and one-time approval links would be forgeable. (`make run` sets a key of its own.)"""
    from django.conf import settings

    if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENVIRONMENT:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: the web process will not start."
        )


_refuse_demo_key()
