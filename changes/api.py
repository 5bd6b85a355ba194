"""REST API for change management (registered on the project's router)."""

from __future__ import annotations

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Add the change management endpoints to the API router."""
