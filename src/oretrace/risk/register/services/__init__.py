"""Every write of the risk register (``entries``) and its Step-3 plans (``plans``)."""
