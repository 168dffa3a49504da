"""What a cache backend does: entries under keys, and generation numbers of scopes.

An entry records the generations of its scopes, read before its value was computed, and is
served only while they are unchanged: a write bumps the generations of the scopes it changed.
"""

from collections.abc import Sequence
from typing import Literal, Protocol

MAX_TTL_SECONDS = 86_400
"""The longest time an entry may stay cached (a day)."""

CacheStatus = Literal["HIT", "MISS", "BYPASS"]
"""The `X-Cache` header: from the cache, computed now, or computed with the cache turned off."""


class CacheBackend(Protocol):
    """Where entries and generation numbers live. A stamp is the generations of some scopes."""

    async def get(self, key: str, scopes: Sequence[str]) -> tuple[bytes | None, bytes | None]:
        """The body stored under `key` if its scopes did not change since, and their stamp now.

        A stamp of None means that nothing may be stored now (the backend is unavailable).
        """

    async def set(self, key: str, body: bytes, *, stamp: bytes, ttl_seconds: float) -> None:
        """Store `body` under `key`, valid while the scopes keep `stamp`, for `ttl_seconds`."""

    async def invalidate(self, scopes: Sequence[str]) -> None:
        """Bump the generation of every scope: entries computed before are not served again."""
