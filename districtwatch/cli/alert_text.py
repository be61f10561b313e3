"""Alerts as a person reads them in a terminal: one row per alert, sources named."""

from __future__ import annotations

from collections.abc import Sequence

from districtwatch.schemas import Alert

COLUMNS = ("district", "province", "change", "status", "conf", "sources")


def change_text(alert: Alert) -> str:
    return f"{alert.lost_by or '?'} → {alert.gained_by or '?'}"


def sources_text(alert: Alert) -> str:
    accounts: list[str] = []
    for source in alert.sources:
        handle = f"@{source.account}" + (f" (via @{source.via})" if source.via else "")
        if handle not in accounts:
            accounts.append(handle)
    return ", ".join(accounts)


def alert_rows(alerts: Sequence[Alert]) -> list[tuple[str, ...]]:
    return [
        (a.district, a.province, change_text(a), a.status.value, f"{a.confidence:.2f}", sources_text(a))
        for a in alerts
    ]


def alert_table(alerts: Sequence[Alert]) -> str:
    """A plain-text table; plain so it survives any terminal, pipe or log file."""
    rows = [COLUMNS, *alert_rows(alerts)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def alert_line(alert: Alert) -> str:
    """One alert on one line, for `alerts --follow`."""
    return (
        f"{alert.emitted_at:%H:%M:%S}  {alert.status.value:<9}  {alert.district}, {alert.province}: "
        f"{change_text(alert)}  ({alert.confidence:.2f}; {sources_text(alert)})"
    )
