"""Ingestion: one poller per monitored account, each source kind one module behind a small Protocol.

``base`` (the Source interface and the source registry), ``window`` (new / edited / deleted since a
checkpoint), ``checkpoints`` (on disk), ``poller`` (the loop, backoff), ``sink`` (posts.raw),
``push`` (POST /posts), ``metrics``, ``commands`` (the CLI). Sources: ``telegram_snscrape``,
``mastodon``, ``twitter_twscrape``, ``telegram_telethon``. See README.md in this folder.
"""
