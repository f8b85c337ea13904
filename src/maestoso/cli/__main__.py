"""``python -m maestoso.cli``."""

from __future__ import annotations

from maestoso.cli import main

main()
