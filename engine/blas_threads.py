"""One BLAS thread for the runtime's processes (``geor``, ``geor-desktop``).

numpy's and SciPy's OpenBLAS start a thread per core that keeps spinning for a while after every
call. The runtime's arrays are small (a batch of positions, a clock's cost valley), so those
threads buy nothing and take the cores ExifTool and the job need: on ``bench_writes.py``'s
camera-size job they cost 0.4-0.5 s of its 7 s of processor time on two cores. Called before numpy
is first imported (the runtime imports it lazily); a user's own setting wins.
"""

from __future__ import annotations

import os


def one_blas_thread() -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
