"""``python -m inclusionkit``: the same as the ``inclusionkit`` command."""

import sys

from inclusionkit.cli import main

sys.exit(main())
