# districtwatch: one image for the worker (default) and the ingester (`districtwatch ingest`).
#   docker build -t districtwatch .
#   docker run --rm -e DISTRICTWATCH_BOOTSTRAP_SERVERS=kafka:9092 -p 6066:6066 districtwatch
# docker-compose.yml builds it and runs both next to Kafka, Prometheus and Grafana.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md LICENSE NOTICE ./
COPY LICENSES/ LICENSES/
COPY districtwatch/ districtwatch/
COPY agents/ agents/
COPY schemas/ schemas/
RUN pip install .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DISTRICTWATCH_WEB_HOST=0.0.0.0 \
    DISTRICTWATCH_DATA_DIR=/var/lib/districtwatch/data \
    DISTRICTWATCH_INGEST_CHECKPOINT_DIR=/var/lib/districtwatch/checkpoints
COPY --from=build /opt/venv /opt/venv
# A fixed uid, so files on mounted volumes belong to the same user on every host. The bundled
# samples (demo account registry, baseline, the 20 Aug 2021 stream) get a short path for compose.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/districtwatch districtwatch \
 && ln -s "$(python -c 'from importlib.resources import files; print(files("districtwatch.samples"))')" \
          /opt/districtwatch-samples \
 && test -f /opt/districtwatch-samples/accounts.yaml
USER districtwatch
WORKDIR /var/lib/districtwatch
VOLUME ["/var/lib/districtwatch"]
EXPOSE 6066 6067
# /status answers once the worker's web server is up; the ingester's service overrides this check.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import os, urllib.request as r; r.urlopen('http://127.0.0.1:%s/status' % os.environ.get('DISTRICTWATCH_WEB_PORT', '6066'), timeout=4)"
CMD ["districtwatch", "worker"]
