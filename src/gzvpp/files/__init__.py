"""Reading the platform's input files (meter exports, participants, events, calendars)."""
