"""Test helpers for ingestion that the project ships: a fixture HTTP server and an in-memory sink.

:class:`FixtureServer` is a real HTTP server on loopback, so a source's own client library (requests
inside snscrape and Mastodon.py) does real HTTP against pages written in the platform's format; the
client is never patched. Its routes can be changed between polls to play a channel that gains,
edits and deletes posts. :class:`MemorySink` is an in-process double of ``posts.raw`` for tests of
our own logic (the push endpoint's validation, the poller's order of work).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from aiohttp import web

from districtwatch.ingest.sink import SinkError
from districtwatch.schemas import Post


@dataclass(frozen=True)
class Reply:
    """One canned answer."""

    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)


class FixtureServer:
    """Answers GET requests from canned replies chosen by path and (a subset of) the query."""

    def __init__(self) -> None:
        self._routes: dict[str, list[tuple[dict[str, str], Reply]]] = {}
        self.requests: list[str] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    def route(
        self,
        path: str,
        body: bytes | str | Path,
        *,
        query: Mapping[str, str] | None = None,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer GET ``path`` (with at least ``query``) with ``body``; replaces an equal route."""
        if isinstance(body, Path):
            body = body.read_bytes()
        data = body.encode("utf-8") if isinstance(body, str) else body
        wanted = dict(query or {})
        routes = [r for r in self._routes.get(path, []) if r[0] != wanted]
        routes.append((wanted, Reply(data, status, content_type, dict(headers or {}))))
        self._routes[path] = routes

    def clear(self) -> None:
        self._routes.clear()

    async def _answer(self, request: web.Request) -> web.Response:
        self.requests.append(request.path_qs)
        query = dict(request.query)
        matching = [
            (wanted, reply)
            for wanted, reply in self._routes.get(request.path, [])
            if all(query.get(k) == v for k, v in wanted.items())
        ]
        if not matching:
            return web.Response(status=404, text=f"no fixture for {request.path_qs}")
        _, reply = max(matching, key=lambda r: len(r[0]))  # the most specific route wins
        headers = {"Content-Type": reply.content_type, **reply.headers}
        return web.Response(status=reply.status, body=reply.body, headers=headers)

    async def start(self) -> FixtureServer:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._answer)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FixtureServer:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


@dataclass
class MemorySink:
    """Keeps what would be produced; ``fail_next`` makes that many sends fail like a broker would."""

    posts: list[Post] = field(default_factory=list)
    fail_next: int = 0

    async def send(self, posts: Sequence[Post]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise SinkError("broker unavailable (MemorySink.fail_next)")
        self.posts.extend(posts)
