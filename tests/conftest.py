"""Shared fixtures. Real PostgreSQL and Redis (see scripts/test.sh); no mocks of our own code."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from servicedesk.models import AssignmentGroup, GroupLevel, Role, User

from .factories import AssignmentGroupFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# CI replays the same property-test examples every run (a red build is then reproducible);
# developers' runs explore new random examples each time.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


# Sign-in throttling counts failures in the cache. Tests run in one process: a local-memory cache
# (emptied before each test) keeps their counts apart, and leaves the shared Redis alone.
settings.CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
}


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    from django.core.cache import cache

    cache.clear()


def redis_reachable() -> bool:
    import redis

    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests whose service is missing; under REQUIRE_SERVICES=1 (CI) that is a failure."""
    checks = {
        "postgres": (lambda: connection.vendor == "postgresql", "PostgreSQL"),
        "redis": (redis_reachable, "Redis"),
    }
    for marker, (available, name) in checks.items():
        marked = [item for item in items if item.get_closest_marker(marker)]
        if not marked or available():
            continue
        if REQUIRE_SERVICES:
            raise pytest.UsageError(f"{name} is required (REQUIRE_SERVICES=1) but is not available.")
        for item in marked:
            item.add_marker(pytest.mark.skip(reason=f"{name} not available"))


@pytest.fixture
def first_line_group(db: None) -> AssignmentGroup:
    return AssignmentGroupFactory(name="Customer centre", level=GroupLevel.FIRST_LINE)


@pytest.fixture
def second_line_group(db: None) -> AssignmentGroup:
    return AssignmentGroupFactory(name="Clinical systems", level=GroupLevel.SECOND_LINE)


@pytest.fixture
def agent(first_line_group: AssignmentGroup) -> User:
    user = UserFactory(username="agent", role=Role.FIRST_LINE)
    first_line_group.members.add(user)
    return user


@pytest.fixture
def resolver(second_line_group: AssignmentGroup) -> User:
    user = UserFactory(username="resolver", role=Role.RESOLVER)
    second_line_group.members.add(user)
    return user


@pytest.fixture
def end_user(db: None) -> User:
    return UserFactory(username="enduser_a", role=Role.END_USER)


@pytest.fixture
def other_end_user(db: None) -> User:
    return UserFactory(username="enduser_b", role=Role.END_USER)


@pytest.fixture
def api_for() -> Callable[[User], APIClient]:
    """An API client authenticated as the given user."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # Each test starts in the default language, whatever a request before it activated.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    # Hashing strength is not under test; PBKDF2 per factory user would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _media_root(settings: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")  # type: ignore[attr-defined]
    yield
