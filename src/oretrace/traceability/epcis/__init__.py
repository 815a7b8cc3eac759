"""EPCIS 2.0 documents without the database: parse, validate, hash (pure, benchmarkable alone)."""
