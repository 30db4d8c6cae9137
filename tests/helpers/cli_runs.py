"""``geor`` as a process, the way a user runs it (the console script of this environment)."""

import shutil
import subprocess
import sys
from pathlib import Path


def geor(env, *args, **kwargs):
    exe = shutil.which("geor", path=str(Path(sys.executable).parent))
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=300, **kwargs)
