"""What the jobs API takes and returns."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

MAX_BELOW = 20_000_000
"""Upper bound of a count_primes job: about a second of one CPU, and 20 MB of memory."""


class CountPrimesJob(BaseModel):
    """Count the primes below `below` (CPU-bound)."""

    task: Literal["count_primes"]
    below: Annotated[int, Field(ge=0, le=MAX_BELOW)]


class ProbeRedisJob(BaseModel):
    """Send `pings` concurrent PINGs to Redis from the worker (async I/O)."""

    task: Literal["probe_redis"]
    pings: Annotated[int, Field(ge=1, le=100)] = 3


JobCreate = Annotated[CountPrimesJob | ProbeRedisJob, Field(discriminator="task")]
"""A job to run, chosen by its `task`."""

JobState = Literal["pending", "started", "retry", "success", "failure", "revoked"]


class JobError(BaseModel):
    """Why a job failed: the exception's type and message, never its traceback."""

    type: str
    message: str


class JobAccepted(BaseModel):
    """A job was queued; follow it at the URL in `Location`."""

    id: str
    state: JobState = "pending"


class JobStatus(BaseModel):
    """Where a job is, and its result or error once it has finished.

    `pending` also answers for an id that was never published, or whose result expired
    (CELERY_RESULT_EXPIRES_SECONDS): the broker cannot tell those apart.
    """

    id: str
    state: JobState
    result: Any = None
    error: JobError | None = None
