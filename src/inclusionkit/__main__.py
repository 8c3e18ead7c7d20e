"""``python -m inclusionkit``: the same as the ``inclusionkit`` command."""

from inclusionkit.cli import run

run()
