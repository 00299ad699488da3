"""``python -m gzvpp`` runs the command line."""

from gzvpp.cli import app

app()
