"""``python -m dynn``: the ``dynn`` command line."""

import sys

from .cli import main

sys.exit(main())
