"""The bundled app's entry point (PyInstaller runs this script; a Python install uses the
``geor-desktop`` console script instead). numba keeps its compiled kernels in the user's cache
directory: the bundle itself is read-only."""

import os
import sys

if getattr(sys, "frozen", False):
    from geor.engine.paths import user_cache_dir

    os.environ.setdefault("NUMBA_CACHE_DIR", str(user_cache_dir() / "numba"))

from geor.desktop.app import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
