"""The least a Faust agent costs per record: one agent that decodes the JSON of each post, nothing else.

Run by ``bench/bench_pipeline.py`` as ``python bench/faust_floor.py worker -l warn`` with these variables:

    FLOOR_BOOTSTRAP  host:port of the broker        FLOOR_TOPIC  the topic to read from its start
    FLOOR_APP        consumer group (a fresh one)    FLOOR_POSTS  how many records to time
    FLOOR_WEB_PORT   port of Faust's web server      FLOOR_DIR    Faust's data dir

It has the worker's record handling (raw keys and values, memory tables, Faust's Prometheus sensors on)
but no table, no send and no districtwatch code, so the gap between it and the baseline consumer is
Faust's own, and the gap between the pipeline and it is districtwatch's.  It prints one line,
``faust_floor_posts_per_s=N cpu_posts_per_s=N``, counted from the first record on, and exits.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from prometheus_client import CollectorRegistry

POSTS = int(os.environ["FLOOR_POSTS"])

app = faust.App(
    os.environ["FLOOR_APP"],
    broker=f"kafka://{os.environ['FLOOR_BOOTSTRAP']}",
    datadir=os.environ["FLOOR_DIR"],
    store="memory://",
    key_serializer="raw",
    value_serializer="raw",
    consumer_auto_offset_reset="earliest",
    broker_rebalance_timeout=4.0,
    broker_session_timeout=10.0,
    broker_heartbeat_interval=3.0,
    web_host="127.0.0.1",
    web_bind="127.0.0.1",
    web_port=int(os.environ["FLOOR_WEB_PORT"]),
)
setup_prometheus_sensors(app, pattern="/metrics", registry=CollectorRegistry(), name_prefix="faust")
posts_raw = app.topic(os.environ["FLOOR_TOPIC"], key_type=bytes, value_type=bytes)


@app.agent(posts_raw)
async def decode_only(stream: Any) -> None:
    seen, first_at, first_cpu = 0, 0.0, 0.0
    async for event in stream.events():
        json.loads(event.value)
        seen += 1
        if seen == 1:
            first_at, first_cpu = time.perf_counter(), time.process_time()
        elif seen >= POSTS:
            wall, cpu = time.perf_counter() - first_at, time.process_time() - first_cpu
            print(f"faust_floor_posts_per_s={(seen - 1) / wall:.0f} cpu_posts_per_s={(seen - 1) / cpu:.0f}", flush=True)
            os._exit(0)  # the measurement is taken; a clean Faust shutdown would only add seconds


if __name__ == "__main__":
    app.main()
