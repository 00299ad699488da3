"""The web console: server-rendered pages in Chinese over the service, under ``/console``."""
