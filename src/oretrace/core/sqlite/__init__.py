"""oretrace's SQLite database backend (``ENGINE = "oretrace.core.sqlite"``); see ``base``."""
