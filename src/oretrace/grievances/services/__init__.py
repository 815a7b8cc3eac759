"""Every write of the grievance app: intake (``intake``), case work (``cases``), and what
keeps content safe over time (``upkeep``: purging, re-sealing, committing case events)."""
