"""How `geor` ends when run as the program (engine/cli/__init__.py: main)."""

import subprocess
import sys


def test_the_program_leaves_its_objects_frozen_for_its_exit_and_a_caller_its_own():
    """Run as the program (no arguments given to main), the command freezes the interpreter's objects so
    that its exit skips the cyclic collector's passes over them (0.2-0.35 s of `geor where`); called
    with arguments, as the tests and other programs do, it leaves the caller's collector alone."""
    probe = """
import gc, sys
from geor.engine.cli import main
main(["distance", "0", "0", "0", "1"])
called = gc.get_freeze_count()
sys.argv = ["geor", "distance", "0", "0", "0", "1"]
main()
print(called, gc.get_freeze_count())
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    called, program = map(int, out.strip().splitlines()[-1].split())
    assert called == 0 and program > 10_000
