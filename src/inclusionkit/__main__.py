"""``python -m inclusionkit``: the same as the ``inclusionkit`` command."""

import sys

from inclusionkit.cli import main, use_system_allocator

use_system_allocator()  # before any command imports pyarrow
sys.exit(main())
