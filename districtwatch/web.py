"""The worker's own web views, beside Faust's: /status for a quick look at the pipeline.

/status answers JSON with records in/out/dropped/dead-lettered per stage; `districtwatch demo` polls it
to know when the pipeline has drained.
"""

from __future__ import annotations

from typing import Any

from faust import web

from districtwatch.app import app, metrics


@app.page("/status")
async def status(self: web.View, request: web.Request) -> web.Response:
    body: dict[str, Any] = {"stages": metrics.stage_totals()}
    return self.json(body)
