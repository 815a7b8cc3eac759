"""Demo data of the risk app (filled in with the pages)."""
