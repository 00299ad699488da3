"""Data-sharing intake: register and death-record feeds turned into register events."""
