"""The runtime's commands run numpy's and SciPy's OpenBLAS on one thread (engine/blas_threads.py);
a user's own OPENBLAS_NUM_THREADS wins. Checked in a fresh interpreter, as the command starts."""

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from geor.engine.cli import main
main(["distance", "0", "0", "0", "1"])
import numpy, scipy.linalg
from threadpoolctl import threadpool_info
print(json.dumps(sorted({info["num_threads"] for info in threadpool_info() if info["internal_api"] == "openblas"})))
"""


@pytest.mark.parametrize(("users", "expected"), [(None, [1]), ("2", [2])])
def test_the_geor_command_keeps_blas_to_one_thread_unless_told(users, expected):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if users is not None:
        env["OPENBLAS_NUM_THREADS"] = users
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == expected

