"""Writes of the audits app, one module per aggregate: ``programmes`` (installing programme
versions), ``audits`` (planning and moving an audit on), ``findings``, ``actions`` (the
corrective action plan, its rounds and support requests) and ``closure``.
"""
