"""``python -m fastasync_cli``: the same as the ``fastasync`` command."""

from fastasync_cli.main import main

if __name__ == "__main__":
    main()
