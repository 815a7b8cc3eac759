"""Django for a benchmark: production settings (DEBUG off) on a scratch data directory.

    import _django  # first, before anything imports Django

The data directory (SQLite database, keys, uploads) is a temporary one removed at exit, unless
``ORETRACE_DATA_DIR`` is set; ``ORETRACE_DATABASE_URL`` selects another database as usual.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("ORETRACE_SECRET_KEY", "bench-" + "k8Zp2Lq9Xv4Rt7Wm1Yc6Nb3Hd5Gf0Js" * 2)
os.environ.setdefault("ORETRACE_ALLOWED_HOSTS", "testserver")
if "ORETRACE_DATA_DIR" not in os.environ:
    _scratch = tempfile.mkdtemp(prefix="oretrace-bench-")
    atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
    os.environ["ORETRACE_DATA_DIR"] = _scratch
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oretrace.settings")

import django

django.setup()
