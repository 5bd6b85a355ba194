"""The form renderer: Django's Jinja2 copies of its widget templates, DTL for the rest.

Django ships every built-in widget template twice, for its own template language and for
Jinja2. The markup is the same, but Jinja2 renders a long option list (the ticket list's
filters and bulk bar, the assignee lists) in about a third of the time. Templates that exist
only for Django's template language (the admin's widgets) are still found, through the
DjangoTemplates renderer.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FastFormRenderer(Jinja2):
    fallback = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
