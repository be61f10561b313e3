"""`python -m districtwatch` is the `districtwatch` command."""

from __future__ import annotations

from districtwatch.cli.commands import main

main()
