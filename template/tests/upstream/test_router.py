import asyncio
import logging
import time

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from tests.upstream.conftest import READ_TIMEOUT_SECONDS, SECRET
from tests.upstream_server import Route, UpstreamServer

# Each error case holds for both ways of calling a source: the shared async client, and
# the blocking client library run in the threadpool.
CLIENTS = pytest.mark.parametrize("suffix", ["", "/blocking"], ids=["async", "blocking"])


def assert_error(response: httpx.Response, status: int, code: str, message: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] == message
    assert error["request_id"]
    assert SECRET not in response.text


@CLIENTS
async def test_a_source_answers_with_its_json(
    client: httpx.AsyncClient, upstream: UpstreamServer, suffix: str
) -> None:
    upstream.routes["/beta"] = Route.json({"temperature": 21.5, "unit": "C"})

    response = await client.get(f"/api/v1/upstream/beta{suffix}")

    assert response.status_code == 200
    assert response.json() == {"source": "beta", "data": {"temperature": 21.5, "unit": "C"}}
    assert [(r.method, r.path) for r in upstream.received] == [("GET", "/beta")]


@CLIENTS
@pytest.mark.parametrize("upstream_status", [400, 404, 500, 503])
async def test_an_upstream_error_status_is_a_502_naming_the_source(
    client: httpx.AsyncClient, upstream: UpstreamServer, suffix: str, upstream_status: int
) -> None:
    upstream.routes["/alpha"] = Route.json({"detail": "nope"}, status=upstream_status)

    response = await client.get(f"/api/v1/upstream/alpha{suffix}")

    message = f"The upstream 'alpha' answered with status {upstream_status}."
    assert_error(response, 502, "upstream_bad_status", message)


@CLIENTS
async def test_a_slow_upstream_is_a_504_after_the_read_timeout(
    client: httpx.AsyncClient, upstream: UpstreamServer, suffix: str
) -> None:
    upstream.routes["/alpha"] = Route.json({}, delay=30)

    started = time.monotonic()
    response = await client.get(f"/api/v1/upstream/alpha{suffix}")

    assert_error(response, 504, "upstream_timeout", "The upstream 'alpha' did not answer in time.")
    assert time.monotonic() - started < READ_TIMEOUT_SECONDS + 2


@CLIENTS
async def test_a_dropped_connection_is_a_502(
    client: httpx.AsyncClient, upstream: UpstreamServer, suffix: str
) -> None:
    upstream.routes["/alpha"] = Route(close=True)

    response = await client.get(f"/api/v1/upstream/alpha{suffix}")

    message = "The upstream 'alpha' could not be reached."
    assert_error(response, 502, "upstream_unavailable", message)


@CLIENTS
async def test_an_answer_that_is_not_json_is_a_502(
    client: httpx.AsyncClient, upstream: UpstreamServer, suffix: str
) -> None:
    upstream.routes["/alpha"] = Route(body=b"<html>maintenance</html>")

    response = await client.get(f"/api/v1/upstream/alpha{suffix}")

    message = "The upstream 'alpha' answered with a body that is not JSON."
    assert_error(response, 502, "upstream_invalid_response", message)


@CLIENTS
async def test_an_unknown_source_is_a_404(client: httpx.AsyncClient, suffix: str) -> None:
    response = await client.get(f"/api/v1/upstream/delta{suffix}")

    assert_error(response, 404, "upstream_source_not_found", "No upstream source is named 'delta'.")


async def test_failures_are_logged_without_the_url(
    client: httpx.AsyncClient, upstream: UpstreamServer, caplog: pytest.LogCaptureFixture
) -> None:
    upstream.routes["/alpha"] = Route(close=True)

    with caplog.at_level(logging.WARNING):
        await client.get("/api/v1/upstream/alpha")

    assert "'alpha'" in caplog.text
    assert SECRET not in caplog.text
    assert str(upstream.port) not in caplog.text


async def test_the_fan_out_takes_as_long_as_the_slowest_source(
    client: httpx.AsyncClient, upstream: UpstreamServer
) -> None:
    for name in ("alpha", "beta", "gamma"):
        upstream.routes[f"/{name}"] = Route.json({"name": name}, delay=0.3)

    started = time.monotonic()
    response = await client.get("/api/v1/upstream")
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert response.json() == {
        "status": "complete",
        "results": {name: {"name": name} for name in ("alpha", "beta", "gamma")},
        "failures": {},
    }
    # One after the other, the three calls would take 0.9 s at least.
    assert 0.3 <= elapsed < 0.6


async def test_the_fan_out_answers_with_the_sources_that_answered(
    client: httpx.AsyncClient, upstream: UpstreamServer
) -> None:
    upstream.routes["/alpha"] = Route.json({"name": "alpha"})
    upstream.routes["/beta"] = Route.json({"detail": "down"}, status=503)
    upstream.routes["/gamma"] = Route.json({}, delay=30)

    response = await client.get("/api/v1/upstream")

    assert response.status_code == 200
    assert response.json() == {
        "status": "partial",
        "results": {"alpha": {"name": "alpha"}},
        "failures": {
            "beta": {
                "code": "upstream_bad_status",
                "message": "The upstream 'beta' answered with status 503.",
            },
            "gamma": {
                "code": "upstream_timeout",
                "message": "The upstream 'gamma' did not answer in time.",
            },
        },
    }


async def test_the_fan_out_is_a_502_when_every_source_fails(
    client: httpx.AsyncClient, upstream: UpstreamServer
) -> None:
    upstream.routes["/alpha"] = Route(close=True)
    upstream.routes["/beta"] = Route.json({}, status=500)

    response = await client.get("/api/v1/upstream")

    assert_error(
        response,
        502,
        "upstreams_failed",
        "Every upstream source failed. The upstream 'alpha' could not be reached. "
        "The upstream 'beta' answered with status 500. "
        "The upstream 'gamma' answered with status 404.",
    )


async def test_an_event_is_delivered_after_the_response(
    app: FastAPI, client: httpx.AsyncClient, upstream: UpstreamServer
) -> None:
    upstream.routes["/beta"] = Route.json({"received": True})
    delivered_when_answered: list[int] = []

    async def app_noting_the_response(scope: Scope, receive: Receive, send: Send) -> None:
        async def noting_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                delivered_when_answered.append(len(upstream.received))

        await app(scope, receive, noting_send)

    # `client` runs the app's lifespan; this one sends through the wrapper above.
    transport = httpx.ASGITransport(app=app_noting_the_response)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as noting:
        response = await noting.post(
            "/api/v1/upstream/beta/events", json={"type": "item.viewed", "payload": {"id": 7}}
        )

    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "source": "beta"}
    # Nothing had reached the upstream when the response was complete; then the event did.
    assert delivered_when_answered == [0]
    [delivery] = upstream.received
    assert (delivery.method, delivery.path) == ("POST", "/beta")
    assert delivery.body == b'{"type":"item.viewed","payload":{"id":7}}'


async def test_an_event_that_cannot_be_delivered_is_logged(
    client: httpx.AsyncClient, upstream: UpstreamServer, caplog: pytest.LogCaptureFixture
) -> None:
    upstream.routes["/beta"] = Route.json({}, status=500)

    with caplog.at_level(logging.WARNING):
        response = await client.post("/api/v1/upstream/beta/events", json={"type": "ping"})

    assert response.status_code == 202
    assert "Event 'ping' not delivered: The upstream 'beta' answered with status 500." in (
        caplog.text
    )


async def test_the_blocking_client_leaves_the_event_loop_free(
    client: httpx.AsyncClient, upstream: UpstreamServer
) -> None:
    upstream.routes["/beta"] = Route.json({"name": "beta"}, delay=0.3)
    ticks = 0

    async def tick_until(done: asyncio.Event) -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    done = asyncio.Event()
    ticker = asyncio.create_task(tick_until(done))
    response = await client.get("/api/v1/upstream/beta/blocking")
    done.set()
    await ticker

    assert response.json() == {"source": "beta", "data": {"name": "beta"}}
    # The loop ran other work while the call waited 0.3 s in its thread: about 30 ticks.
    # Called on the loop itself, the call would have allowed one.
    assert ticks >= 10
