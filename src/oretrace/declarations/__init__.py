"""Supplier declarations on the RMI reporting templates (CMRT, EMRT, AMRT, CRT).

The pure template readers live in `oretrace.declarations.rmi`; the Django app (models,
import pipeline, campaigns, roll-up, export) is built on top of them.
"""
