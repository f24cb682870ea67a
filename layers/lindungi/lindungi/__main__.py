"""``python -m lindungi``: the staff and operator commands (``lindungi.ops.cli``)."""

from __future__ import annotations

import sys

from lindungi.ops.cli import main

if __name__ == "__main__":
    sys.exit(main())
