"""REST API for the service catalogue (registered on the project's router)."""

from __future__ import annotations

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Add the catalogue endpoints to the API router."""
