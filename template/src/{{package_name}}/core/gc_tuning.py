"""Garbage collector settings for serving: fewer, cheaper collections under load.

The lifespan serves inside `tuned_gc()`, once every resource exists, and the settings are
put back at shutdown. `bench/` in fastasync's repository measures what they are worth.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_GC_THRESHOLD = 10_000
"""Tracked objects allocated, less those freed, that start a collection of the youngest
generation while the service serves (Python's default: 700)."""


@contextmanager
def tuned_gc() -> Iterator[None]:
    """Freeze what exists now and collect the youngest generation less often, until exit."""
    # What exists now lives as long as the process: keep the garbage collector from
    # scanning it again in every full collection, which under load shows as p99 latency.
    gc.freeze()
    # Python collects the youngest generation once 700 more objects exist than at the last
    # collection. Under load, the requests in flight alone hold more than that, so it would
    # collect every few dozen requests and find next to nothing to free.
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
