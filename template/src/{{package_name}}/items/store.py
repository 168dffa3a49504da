"""The in-process item store: items in a dict in memory, owned by the app's lifespan.

It lives and dies with the process and every worker process has its own, which suits
development, tests and demos; data that must survive a restart belongs in a database.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Item:
    """A stored item."""

    id: int
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime


class ItemStore:
    """Items keyed by id; ids are handed out in increasing order and never reused."""

    def __init__(self) -> None:
        self.items: dict[int, Item] = {}
        # Held across check-then-write steps (such as "is this name free?"), so they stay
        # atomic even once a step awaits something.
        self.lock = asyncio.Lock()
        self._last_id = 0

    def next_id(self) -> int:
        """A new, never used id."""
        self._last_id += 1
        return self._last_id
