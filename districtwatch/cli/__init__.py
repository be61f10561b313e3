"""The `districtwatch` command and what only the commands use."""
