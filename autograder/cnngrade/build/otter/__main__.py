"""``python -m cnngrade.build.otter ZIP SUBMISSION``: see :mod:`cnngrade.build.otter.local_run`."""

import sys

from .local_run import main

sys.exit(main())
