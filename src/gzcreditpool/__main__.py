"""``python -m gzcreditpool`` runs the command line."""

from gzcreditpool.cli import app

app()
