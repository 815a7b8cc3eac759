"""The declarations app's API routes: ``declarations`` (declarations, imports, suppliers) and
``campaigns``; each router is mounted by ``oretrace.api.api``."""
