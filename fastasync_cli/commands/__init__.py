"""One module per ``fastasync`` command."""
