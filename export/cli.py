"""``geor-export`` entry point. The exporter lands with the export issue; until then the command
says so instead of pretending."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    print("geor-export: not available yet: checkpoint export to GGUF/ONNX arrives with the export work", file=sys.stderr)
    return 1
