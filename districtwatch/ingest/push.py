"""``POST /posts``: other tools push posts to the ingester, which produces them to ``posts.raw``.

    POST /posts   Content-Type: application/json        one Post object, or a list of them
                  Content-Type: application/x-ndjson    one Post object per line (also application/jsonl)
    GET  /metrics the ingester's Prometheus metrics

A request is all or nothing: every post is validated first, and one bad post rejects the request
with a reason naming its line (or list item), so a sender can fix and resend it whole. Answers:
202 with the count once the broker acknowledged every post; 400 malformed or invalid; 401/403 when
a token is configured and the request's bearer token is missing or wrong; 413 body larger than
``max_push_body_bytes`` (checked on Content-Length and while reading, for chunked bodies); 415 any
other content type or charset; 503 when the broker did not acknowledge (retry later). Every error
is JSON: ``{"error": reason, "status": code}``.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import ValidationError

from districtwatch.codec import decode, describe
from districtwatch.errors import DecodeError
from districtwatch.ingest.metrics import IngestMetrics
from districtwatch.ingest.sink import PostSink, SinkError
from districtwatch.schemas import Post

JSON_TYPES = frozenset({"application/json"})
LINE_TYPES = frozenset(
    {"application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json-lines"}
)

SINK_KEY = web.AppKey("sink", PostSink)
METRICS_KEY = web.AppKey("metrics", IngestMetrics)
LIMIT_KEY = web.AppKey("max_body_bytes", int)
TOKEN_KEY = web.AppKey("token", str)


class PushRejected(Exception):
    """A request the endpoint refuses; carries the HTTP status and the reason for the sender."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def create_app(
    sink: PostSink,
    metrics: IngestMetrics,
    *,
    max_body_bytes: int,
    registry: CollectorRegistry | None = None,
    token: str | None = None,
) -> web.Application:
    """The ingester's web app; ``/metrics`` is served when a registry is given."""
    app = web.Application()
    app[SINK_KEY] = sink
    app[METRICS_KEY] = metrics
    app[LIMIT_KEY] = max_body_bytes
    if token:
        app[TOKEN_KEY] = token
    app.router.add_post("/posts", push_posts)
    if registry is not None:

        async def metrics_page(request: web.Request) -> web.Response:
            body = generate_latest(registry)
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

        app.router.add_get("/metrics", metrics_page)
    return app


async def push_posts(request: web.Request) -> web.Response:
    metrics = request.app[METRICS_KEY]
    try:
        _authorise(request)
        posts = parse_body(request.content_type, request.charset, await _read_body(request))
        now = datetime.now(UTC)
        posts = [p if p.ingested_at else p.model_copy(update={"ingested_at": now}) for p in posts]
        try:
            await request.app[SINK_KEY].send(posts)
        except SinkError as exc:
            raise PushRejected(503, f"not stored, send again later: {exc}") from exc
    except PushRejected as rejected:
        metrics.push_requests.labels(str(rejected.status)).inc()
        if rejected.status in (400, 413, 415):
            metrics.push_records.labels("rejected").inc()
        headers = {"Retry-After": "5"} if rejected.status == 503 else None
        return web.json_response(
            {"error": rejected.reason, "status": rejected.status}, status=rejected.status, headers=headers
        )
    metrics.push_requests.labels("202").inc()
    metrics.push_records.labels("produced").inc(len(posts))
    return web.json_response({"accepted": len(posts)}, status=202)


def _authorise(request: web.Request) -> None:
    token = request.app.get(TOKEN_KEY)
    if token is None:
        return
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise PushRejected(401, "missing bearer token")
    if not hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode()):
        raise PushRejected(403, "wrong bearer token")


async def _read_body(request: web.Request) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed the limit."""
    kind = request.content_type
    if kind not in JSON_TYPES and kind not in LINE_TYPES:
        raise PushRejected(
            415, f"content type {kind!r} is not accepted; send application/json or application/x-ndjson"
        )
    limit = request.app[LIMIT_KEY]
    if request.content_length is not None and request.content_length > limit:
        raise PushRejected(413, f"body of {request.content_length} bytes exceeds the limit of {limit}")
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body.extend(chunk)
        if len(body) > limit:
            raise PushRejected(413, f"body exceeds the limit of {limit} bytes")
    return bytes(body)


def parse_body(content_type: str, charset: str | None, body: bytes) -> list[Post]:
    """Posts from a request body, or PushRejected with the status and a reason naming the line."""
    if content_type not in JSON_TYPES and content_type not in LINE_TYPES:
        raise PushRejected(415, f"content type {content_type!r} is not accepted")
    if charset is not None and charset.lower().replace("-", "") != "utf8":
        raise PushRejected(415, f"charset {charset!r} is not accepted; send UTF-8")
    if not body.strip():
        raise PushRejected(400, "empty body")
    posts = _json_posts(body) if content_type in JSON_TYPES else _line_posts(body)
    if not posts:
        raise PushRejected(400, "no posts in the body")
    return posts


def _json_posts(body: bytes) -> list[Post]:
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PushRejected(400, f"not UTF-8: byte 0x{body[exc.start]:02x} at offset {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise PushRejected(400, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    records: Sequence[object] = data if isinstance(data, list) else [data]
    posts = []
    for number, record in enumerate(records, 1):
        where = f"item {number}" if isinstance(data, list) else "body"
        if not isinstance(record, dict):
            raise PushRejected(400, f"{where}: expected a JSON object, not {type(record).__name__}")
        try:
            posts.append(Post.model_validate(record))
        except ValidationError as exc:
            raise PushRejected(400, f"{where}: invalid Post: {describe(exc)}") from exc
    return posts


def _line_posts(body: bytes) -> list[Post]:
    posts = []
    for number, line in enumerate(body.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            posts.append(decode(line.rstrip(b"\r"), Post))
        except DecodeError as exc:
            raise PushRejected(400, f"line {number}: {exc}") from exc
    return posts
