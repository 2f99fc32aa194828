"""`python -m workers` is `crossdept`."""

from workers.cli import app

app()
