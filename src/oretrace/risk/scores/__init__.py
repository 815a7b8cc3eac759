"""Risk scores: gathering their inputs as of a date (``gather``), recomputing and storing them
(``services``), reading them for pages and the API (``queries``), and their pages (``views``).
The arithmetic is the pure ``risk.scoring`` package."""
