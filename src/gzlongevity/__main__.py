"""``python -m gzlongevity`` runs the command line."""

from gzlongevity.cli import app

app(prog_name="gzlongevity")
