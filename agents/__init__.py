"""The Faust agents, one module per pipeline stage, each named after its stage.

    filter   posts.raw      → posts.relevant   decode, validate, keep posts that could hold a claim
    dedup    posts.relevant → posts.unique     drop reposts and copies (to posts.duplicates)
    extract  posts.unique   → claims           which district, who took it from whom, hedged?
    control  claims         → alerts           corroborate, update the control table, alert

Agents are thin: they decode, call a pure function from ``districtwatch.core``, and send.
The worker imports this package by autodiscovery.
"""
