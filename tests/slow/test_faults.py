"""Slow tier: a generated service, served as deployed, holds under faults and hostile input.

One project (PostgreSQL, the Redis cache, rate limits, Gunicorn) runs its production command
with 2 workers and `ENVIRONMENT=production`; PostgreSQL and Redis are reached through TCP
proxies this test owns (tcp_proxy.py). Under a steady load of reads, each proxy is killed,
restored, frozen and restored. Every response is counted by its class, and:

- no request gets a 500, and none fails below HTTP (a reset, a timeout);
- no request takes longer than the budget its settings give it (pool wait, connect and
  statement timeouts for PostgreSQL, the Redis timeout), plus a margin;
- a fault's requests answer 503 or 504, or 200 where the service steps aside (the cache);
- within 2 s of a restore, every read answers 200 again.

With workers replaced every few hundred requests (a low MAX_REQUESTS), every request is
answered 200, some after being sent again because the connection it went on closed without
an answer (what clients do for an idempotent request). The hostile requests of
docs/serving.md get their 4xx, never a 500. Load and time are bounded: a few thousand
loopback requests a test, about 50 s for the three.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import render_project
from tests.slow.tcp_proxy import TcpProxy
from tests.slow.test_generated_projects import SERVICES, require_reachable, run_check
from tests.slow.test_serve import PKG, Served, free_port, serve_env
from tests.template import matrix

pytestmark = pytest.mark.slow

POSTGRES, REDIS = SERVICES[0], SERVICES[1]
ANSWERS = {
    **matrix.IDENTITY,
    "database": "postgresql",
    "cache": "redis",
    "rate_limit": True,
    "server": "gunicorn",
}
TIMEOUTS = {
    "DATABASE_POOL_TIMEOUT_SECONDS": "1",
    "DATABASE_CONNECT_TIMEOUT_SECONDS": "1",
    "DATABASE_STATEMENT_TIMEOUT_SECONDS": "1",
    "REDIS_TIMEOUT_SECONDS": "0.5",
}
# The longest a request may take: waiting for a pooled connection, connecting, the
# statement, the cache's and the rate limiter's Redis calls; and a margin for the machine.
BUDGET_SECONDS = 1 + 1 + 1 + 3 * 0.5 + 1.5
RECOVERY_SECONDS = 2.0
# What httpx says when a server closed a reused connection without answering the request.
CLOSED_WITHOUT_ANSWER = ("RemoteProtocolError", "ReadError")
PHASE_SECONDS = 2.5
CLIENTS = 12


def _database_url(port: int, name: str) -> str:
    return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/{name}"


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A throwaway database on the PostgreSQL here, dropped at the end."""
    assert POSTGRES.url is not None and REDIS.url is not None
    require_reachable(POSTGRES, POSTGRES.url)
    require_reachable(REDIS, REDIS.url)
    name = f"fastasync_faults_{os.getpid()}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, template_src: Path, database: str) -> Path:
    project = render_project(template_src, tmp_path_factory.mktemp("faults") / "p", ANSWERS)
    env = serve_env(project, DATABASE_URL=_database_url(5432, database))
    migrated = run_check(sys.executable, ["-m", "alembic", "upgrade", "head"], project, env)
    assert migrated.returncode == 0, migrated.stderr
    return project


@dataclass
class Outcome:
    """One request: when it started (seconds into the run), what it got, how long it took."""

    started: float
    path: str
    status: int | str
    seconds: float
    retried: bool = False
    """The connection closed without an answer, and the request was sent again, up to twice
    (as browsers and proxies do for an idempotent request on a reused connection)."""


@dataclass
class Load:
    """Reads from CLIENTS threads until stopped: an item (cached after its first read) and
    a list page at a random offset (a cache miss, so a query)."""

    base: str
    item_id: int
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _start: float = field(default_factory=time.monotonic)

    def now(self) -> float:
        return time.monotonic() - self._start

    def _run(self) -> None:
        paths = [f"/api/v1/items/{self.item_id}", "/api/v1/items?offset={}"]
        with httpx.Client(base_url=self.base, timeout=3 * BUDGET_SECONDS) as client:
            n = 0
            while not self._stop.is_set():
                path = paths[n % 2].format(secrets.randbelow(1_000_000))
                n += 1
                started = self.now()
                status, retried = self._get(client, path), False
                for _ in range(2):
                    if status not in CLOSED_WITHOUT_ANSWER:
                        break
                    status, retried = self._get(client, path), True
                self.outcomes.append(Outcome(started, path, status, self.now() - started, retried))

    @staticmethod
    def _get(client: httpx.Client, path: str) -> int | str:
        try:
            return client.get(path).status_code
        except httpx.HTTPError as error:
            return type(error).__name__

    def __enter__(self) -> Load:
        self._threads = [threading.Thread(target=self._run) for _ in range(CLIENTS)]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def between(self, start: float, end: float) -> list[Outcome]:
        return [o for o in self.outcomes if start <= o.started < end]


def classes(outcomes: list[Outcome]) -> Counter[int | str]:
    return Counter(outcome.status for outcome in outcomes)


@pytest.fixture
def extra_settings() -> dict[str, str]:
    """Settings a test adds to the service's."""
    return {}


@pytest.fixture
def served(
    project: Path, database: str, tmp_path: Path, extra_settings: dict[str, str]
) -> Iterator[tuple[Served, TcpProxy, TcpProxy]]:
    with TcpProxy(("127.0.0.1", 5432)) as pg, TcpProxy(("127.0.0.1", 6379)) as redis:
        port = free_port()
        prefix = f"fastasync-faults-{os.getpid()}:"
        env = serve_env(
            project,
            PORT=str(port),
            WEB_CONCURRENCY="2",
            ENVIRONMENT="production",
            DATABASE_URL=_database_url(pg.port, database),
            REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
            CACHE_KEY_PREFIX=f"{prefix}cache:",
            RATE_LIMIT_KEY_PREFIX=f"{prefix}ratelimit",
            RATE_LIMIT_DEFAULT="1000000/second",
            MAX_REQUESTS="0",
            **TIMEOUTS,
        )
        env.update(extra_settings)
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", PKG], cwd=project, env=env, stdout=out, stderr=out
            )
        try:
            server = Served(process, port, log)
            server.wait_until_healthy()
            yield server, pg, redis
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            _delete_keys(prefix)


def _delete_keys(prefix: str) -> None:
    import redis

    assert REDIS.url is not None
    with redis.Redis.from_url(REDIS.url) as client:
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)


def test_faults_of_postgresql_and_redis_under_load(
    served: tuple[Served, TcpProxy, TcpProxy],
) -> None:
    server, pg, redis = served
    created = httpx.post(server.url("/api/v1/items"), json={"name": secrets.token_hex(8)})
    faults: list[tuple[str, float, float]] = []  # (fault, start, restored at)

    assert created.status_code == 201, created.text
    with Load(server.url(""), created.json()["id"]) as load:
        time.sleep(PHASE_SECONDS)
        for name, proxy, fault in (
            ("postgresql killed", pg, pg.kill),
            ("postgresql frozen", pg, pg.freeze),
            ("redis killed", redis, redis.kill),
            ("redis frozen", redis, redis.freeze),
        ):
            start = load.now()
            fault()
            time.sleep(PHASE_SECONDS)
            restored = load.now()
            proxy.restore()
            faults.append((name, start, restored))
            time.sleep(PHASE_SECONDS)

    outcomes = load.outcomes
    ends = [start for _, start, _ in faults[1:]] + [load.now()]

    def recovered(restored: float, next_fault: float) -> list[Outcome]:
        """The requests made from RECOVERY_SECONDS after a restore, done before the next fault."""
        return [
            o
            for o in load.between(restored + RECOVERY_SECONDS, next_fault)
            if o.started + o.seconds < next_fault
        ]

    report = "\n".join(
        f"{name}: during {dict(classes(load.between(start, end)))}, "
        f"after {dict(classes(recovered(end, next_fault)))}"
        for (name, start, end), next_fault in zip(faults, ends, strict=True)
    )
    assert len(outcomes) > 500, report
    assert not [o for o in outcomes if o.retried], report
    everything = classes(outcomes)
    unexpected = f"{dict(everything)}\n{report}\n{server.output()[-3000:]}"
    assert set(everything) <= {200, 503, 504}, unexpected
    slowest = max(outcomes, key=lambda o: o.seconds)
    assert slowest.seconds <= BUDGET_SECONDS, f"{slowest}\n{report}"
    for (name, start, end), next_fault in zip(faults, ends, strict=True):
        after = recovered(end, next_fault)
        assert len(after) > 50, f"{name}: too few requests to tell\n{report}"
        late = [o for o in after if o.status != 200]
        assert not late, f"{name}: not recovered {RECOVERY_SECONDS} s after: {late}\n{report}"
        during = set(classes(load.between(start, end)))
        if name.startswith("redis"):
            # The cache steps aside and the rate limiter lets requests through.
            assert during == {200}, report
        else:
            assert during & {503, 504}, f"{name}: the fault did not reach the requests\n{report}"


def _raw(port: int, request: bytes) -> bytes:
    """What the server answers to `request`, sent as is on a new connection, until it
    closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        # Both requests sent here get an answer that closes the connection.
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_hostile_requests_get_their_4xx(served: tuple[Served, TcpProxy, TcpProxy]) -> None:
    server, _, _ = served
    items = server.url("/api/v1/items")
    with httpx.Client(timeout=10) as client:
        big_header = client.get(server.url("/health"), headers={"X-Big": "x" * 100_000})
        many_headers = client.get(
            server.url("/health"), headers=[(f"X-H{n}", "1") for n in range(2000)]
        )
        past_int64 = client.get(items, params={"offset": 2**63})
        nul = client.post(items, json={"name": "a\x00b"})
    huge_body = _raw(
        server.port,
        b"POST /api/v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10485760\r\n\r\n",
    )
    garbage = _raw(server.port, b"\x16\x03\x01 not http at all\r\n\r\n")

    assert (big_header.status_code, many_headers.status_code) == (431, 431)
    assert big_header.json()["error"]["code"] == "request_header_fields_too_large"
    assert (past_int64.status_code, nul.status_code) == (422, 422)
    assert _status(huge_body) == 413, huge_body[:300]
    assert b'"code":"content_too_large"' in huge_body
    # The server's own answer: the app never sees a request it cannot parse.
    assert _status(garbage) == 400, garbage[:300]
    assert "Traceback" not in server.output()


@pytest.mark.parametrize("extra_settings", [{"MAX_REQUESTS": "600"}])
def test_workers_replaced_under_load_answer_every_request(
    served: tuple[Served, TcpProxy, TcpProxy],
) -> None:
    server, _, _ = served
    created = httpx.post(server.url("/api/v1/items"), json={"name": secrets.token_hex(8)})
    assert created.status_code == 201, created.text
    with Load(server.url(""), created.json()["id"]) as load:
        time.sleep(8)

    outcomes = load.outcomes
    replaced = server.output().count("Booting worker") - 2
    retried = [o for o in outcomes if o.retried]
    summary = f"{len(outcomes)} requests, {len(retried)} retried, {replaced} workers replaced"
    assert replaced >= 2, summary
    assert set(classes(outcomes)) == {200}, f"{dict(classes(outcomes))}: {summary}"
    # Only requests sent on a connection being closed: a few per replacement.
    assert len(retried) <= 2 * CLIENTS * replaced, summary
    assert max(o.seconds for o in outcomes) <= BUDGET_SECONDS, summary
