"""Every write of the programmes app: ``setup`` (programmes, villages, targets, periods),
``monitoring`` (visits) and ``cases`` (children's cases)."""
