"""POST /posts: good bodies are produced; malformed, oversized and wrong-type bodies get a 4xx and a reason.

The endpoint runs on a real local HTTP server (aiohttp's TestServer) and is called over HTTP; the
broker is an in-memory sink here (the integration test produces to the real one).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from districtwatch.ingest.metrics import IngestMetrics
from districtwatch.ingest.push import create_app
from districtwatch.ingest.testing import MemorySink

Client = TestClient[web.Request, web.Application]
LIMIT = 4096
DARI = {
    "id": "push-1",
    "platform": "telegram",
    "account": "@afghan_voice",
    "created_at": "2021-08-20T06:12:31+04:30",
    "text": "ولسوالی پل حصار به دست نیروهای مقاومت افتاد.",
    "lang": "fa",
}
ENGLISH = {
    "id": "push-2",
    "platform": "rss",
    "account": "news.example",
    "created_at": "2021-08-20T07:00:00Z",
    "text": "Banu district centre under resistance control.",
    "url": "https://news.example/banu",
}


@pytest.fixture
def sink() -> MemorySink:
    return MemorySink()


@pytest.fixture
async def client(sink: MemorySink) -> AsyncIterator[Client]:
    registry = CollectorRegistry()
    app = create_app(sink, IngestMetrics.create(registry), max_body_bytes=LIMIT, registry=registry)
    async with TestClient(TestServer(app)) as running:
        yield running


async def post(client: Client, body: bytes, content_type: str | None) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": content_type} if content_type else {}
    async with client.post("/posts", data=body, headers=headers) as reply:
        return reply.status, await reply.json()


async def test_one_json_object_is_accepted_and_produced_with_its_time_in_utc(
    client: Client, sink: MemorySink
) -> None:
    status, body = await post(client, json.dumps(DARI).encode(), "application/json")
    assert (status, body) == (202, {"accepted": 1})
    (produced,) = sink.posts
    assert produced.account == "afghan_voice"
    assert produced.created_at.isoformat() == "2021-08-20T01:42:31+00:00"
    assert produced.text == DARI["text"]
    assert produced.ingested_at is not None


async def test_a_json_list_and_json_lines_are_accepted(client: Client, sink: MemorySink) -> None:
    status, body = await post(client, json.dumps([DARI, ENGLISH]).encode(), "application/json; charset=utf-8")
    assert (status, body) == (202, {"accepted": 2})
    lines = f"{json.dumps(DARI, ensure_ascii=False)}\r\n\n{json.dumps(ENGLISH)}\n".encode()
    status, body = await post(client, lines, "application/x-ndjson")
    assert (status, body) == (202, {"accepted": 2})
    status, _ = await post(client, lines, "application/jsonl")
    assert status == 202
    assert [p.id for p in sink.posts] == ["push-1", "push-2"] * 3


async def test_malformed_json_is_400_with_where_it_broke_and_nothing_is_produced(
    client: Client, sink: MemorySink
) -> None:
    status, body = await post(client, b'{"id": "x", "text": "unterminated', "application/json")
    assert status == 400
    assert body["error"].startswith("malformed JSON at line 1 column")
    assert body["status"] == 400
    assert sink.posts == []


async def test_a_bad_line_rejects_the_whole_request_naming_the_line(client: Client, sink: MemorySink) -> None:
    """All or nothing: the sender fixes line 3 and resends; no half-accepted batch to reconcile."""
    missing_text = {k: v for k, v in ENGLISH.items() if k != "text"}
    lines = "\n".join([json.dumps(DARI), json.dumps(ENGLISH), json.dumps(missing_text)]).encode()
    status, body = await post(client, lines, "application/x-ndjson")
    assert status == 400
    assert body["error"] == "line 3: invalid Post: text: field required"
    status, body = await post(client, b'{"id": 1}\n{not json\n', "application/x-ndjson")
    assert status == 400
    assert body["error"].startswith("line 1: invalid Post:")
    status, body = await post(client, json.dumps(DARI).encode() + b"\n{not json\n", "application/x-ndjson")
    assert body["error"].startswith("line 2: malformed JSON")
    assert sink.posts == []


async def test_invalid_items_of_a_json_list_are_named(client: Client, sink: MemorySink) -> None:
    status, body = await post(client, json.dumps([DARI, "just text"]).encode(), "application/json")
    assert (status, body["error"]) == (400, "item 2: expected a JSON object, not str")
    bad_time = dict(ENGLISH, created_at="yesterday")
    status, body = await post(client, json.dumps([bad_time]).encode(), "application/json")
    assert status == 400
    assert body["error"].startswith("item 1: invalid Post: created_at:")
    status, body = await post(client, b"\xff\xfe{}", "application/json")
    assert (status, body["error"]) == (400, "not UTF-8: byte 0xff at offset 0")
    status, body = await post(client, b"  \n", "application/json")
    assert (status, body["error"]) == (400, "empty body")
    assert sink.posts == []


async def test_an_oversized_body_is_413_whether_its_length_is_announced_or_not(
    client: Client, sink: MemorySink
) -> None:
    big = json.dumps([ENGLISH] * 40).encode()
    assert len(big) > LIMIT
    status, body = await post(client, big, "application/json")
    assert status == 413
    assert body["error"] == f"body of {len(big)} bytes exceeds the limit of {LIMIT}"

    async def chunks() -> AsyncIterator[bytes]:  # chunked transfer: no Content-Length to check
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    async with client.post("/posts", data=chunks(), headers={"Content-Type": "application/json"}) as reply:
        assert reply.status == 413
        assert (await reply.json())["error"] == f"body exceeds the limit of {LIMIT} bytes"
    assert sink.posts == []


async def test_a_wrong_content_type_or_charset_is_415(client: Client, sink: MemorySink) -> None:
    body = json.dumps(DARI).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        status, answer = await post(client, body, content_type)
        assert status == 415, content_type
        assert "send application/json or application/x-ndjson" in answer["error"]
    status, answer = await post(client, body, "application/json; charset=latin-1")
    assert (status, answer["error"]) == (415, "charset 'latin-1' is not accepted; send UTF-8")
    assert sink.posts == []


async def test_a_broker_failure_is_503_with_retry_after(client: Client, sink: MemorySink) -> None:
    sink.fail_next = 1
    async with client.post("/posts", json=DARI) as reply:
        assert reply.status == 503
        assert reply.headers["Retry-After"] == "5"
        assert "send again later" in (await reply.json())["error"]


async def test_a_configured_token_is_required(sink: MemorySink) -> None:
    app = create_app(sink, IngestMetrics.create(CollectorRegistry()), max_body_bytes=LIMIT, token="s3cret")
    async with TestClient(TestServer(app)) as client:
        async with client.post("/posts", json=DARI) as reply:
            assert reply.status == 401
        async with client.post("/posts", json=DARI, headers={"Authorization": "Bearer nope"}) as reply:
            assert reply.status == 403
        async with client.post("/posts", json=DARI, headers={"Authorization": "Bearer s3cret"}) as reply:
            assert reply.status == 202


async def test_metrics_count_requests_and_posts(client: Client) -> None:
    await post(client, json.dumps([DARI, ENGLISH]).encode(), "application/json")
    await post(client, b"{", "application/json")
    async with client.get("/metrics") as reply:
        text = await reply.text()
    assert 'districtwatch_ingest_push_records_total{outcome="produced"} 2.0' in text
    assert 'districtwatch_ingest_push_requests_total{status="400"} 1.0' in text
