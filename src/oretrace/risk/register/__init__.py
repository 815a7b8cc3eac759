"""The risk register and its Step-3 plans: services (writes), queries (reads), the ledger
records of plan decisions, the daily review check, the map and the trends."""
