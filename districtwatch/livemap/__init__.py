"""The live control map, answered alike by every worker of a group.

Each worker keeps a read model of the whole map: a plain consumer of its own (no group) reads the
control table's changelog and the alerts topic from their start and folds them into memory
(``follower`` → ``readmodel``). The control views of ``districtwatch.web`` and the map's views here
answer from it, so a worker answers for every district, not only for the partitions it holds, and two
workers that have read to the same offsets give the same answer.

    readmodel.py   what was read: every district's state, every alert, who listens (pure, no Kafka)
    follower.py    the Faust service that reads the two topics into the read model
    timeline.py    who holds each district now, or at a past moment, and a district's history (pure)
    shapes.py      the district polygons shipped in data/ (built by scripts/build_map_shapes.py)
    assets.py      the files of static/ the worker serves
    routes.py      GET /map, its assets, state, history and the server-sent event stream
    static/        the page, its script and style, Leaflet vendored from npm (no CDN)
"""
