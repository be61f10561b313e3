"""Ingestion: one poller per monitored account, each source kind one module behind a small Protocol.

``base`` (the Source interface and the source registry), ``window`` (new / edited / deleted since a
checkpoint), ``checkpoints`` (on disk), ``poller`` (the loop and its backoff), ``sink`` (posts.raw),
``push`` (POST /posts), ``metrics``, ``errors``, ``commands`` (`ingest`, `sources`), ``testing``
(fixture server, in-memory sink). Sources: ``telegram_snscrape``, ``mastodon``,
``twitter_twscrape``, ``telegram_telethon``. README.md in this folder says which need credentials.
"""
