"""Configuration read on every write, kept per process (the SLA rules and calendars, the priority
matrix) and reloaded when it changes in any process.

A version token in the shared cache (Redis; the database cache table in the demo) names the
current configuration. Saving or deleting a watched model replaces the token at once, and again
when its transaction commits: a process that reloaded in between, still seeing the old rows,
reloads once more. Bulk updates and raw SQL send no signals, so every process also reloads after
`max_age` seconds (`manage.py rebuild_clocks` repairs clocks measured in between). If the shared
cache is down, every use reloads: slower, never stale.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)


class ConfigCache[T]:
    def __init__(self, name: str, load: Callable[[], T], *, max_age: float = 60.0) -> None:
        self.key = f"config-version:{name}"
        self._load = load
        self.max_age = max_age
        self._lock = threading.Lock()
        self._value: T | None = None
        self._version: str | None = None
        self._loaded_at = 0.0

    def _current_version(self) -> str | None:
        try:
            version = cache.get(self.key)
            if version is None:
                cache.add(self.key, uuid.uuid4().hex, timeout=None)
                version = cache.get(self.key)
        except Exception:  # the shared cache is down: do not trust a local copy
            logger.warning("Shared cache unreachable; reloading %s", self.key, exc_info=True)
            return None
        return str(version) if version is not None else None

    def get(self) -> T:
        version = self._current_version()
        with self._lock:
            fresh = time.monotonic() - self._loaded_at < self.max_age
            if self._value is not None and version is not None and version == self._version and fresh:
                return self._value
            value = self._load()
            self._value, self._version, self._loaded_at = value, version, time.monotonic()
            return value

    def invalidate(self, **_: Any) -> None:
        with self._lock:
            self._value = None
        self._bump()
        transaction.on_commit(self._bump)

    def _bump(self) -> None:
        try:
            cache.set(self.key, uuid.uuid4().hex, timeout=None)
        except Exception:  # other processes still reload within max_age
            logger.warning("Shared cache unreachable; %s not bumped", self.key, exc_info=True)

    def watch(self, *senders: type[models.Model]) -> None:
        for sender in senders:
            post_save.connect(self.invalidate, sender=sender, weak=False)
            post_delete.connect(self.invalidate, sender=sender, weak=False)
