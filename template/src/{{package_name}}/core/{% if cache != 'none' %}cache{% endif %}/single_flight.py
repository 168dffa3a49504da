"""Concurrent misses of one key in a process compute the value once (cache stampedes)."""

import asyncio
from collections.abc import Awaitable, Callable, Hashable


class _AbandonedError(Exception):
    """The caller computing a value was cancelled: another waiting caller computes it."""


def _retrieve(future: "asyncio.Future[bytes]") -> None:
    # Marks the exception as seen, so that a flight nobody else waited for logs nothing.
    if not future.cancelled():
        future.exception()


class SingleFlight:
    """At most one computation per key at a time in this process; the callers share its result.

    The first caller computes; the others wait for its result, or its exception, which they
    raise too (nothing is stored then). If the first caller is cancelled, one of the waiting
    callers computes instead, so that none of them waits forever.
    """

    def __init__(self) -> None:
        self._flights: dict[Hashable, asyncio.Future[bytes]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    async def run(self, key: Hashable, compute: Callable[[], Awaitable[bytes]]) -> bytes:
        """The value of `compute()`, computed once for all the callers of `key` at this time."""
        while (flight := self._flights.get(key)) is not None:
            try:
                # shield(): a waiter that is cancelled must not cancel the flight of the others.
                return await asyncio.shield(flight)
            except _AbandonedError:
                continue
        flight = asyncio.get_running_loop().create_future()
        flight.add_done_callback(_retrieve)
        self._flights[key] = flight
        try:
            value = await compute()
        except Exception as error:
            flight.set_exception(error)
            raise
        except BaseException:
            flight.set_exception(_AbandonedError())
            raise
        finally:
            del self._flights[key]
        flight.set_result(value)
        return value
