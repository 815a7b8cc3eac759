"""Pages planted at test time in a served oretrace, to show the crawler's checks fail on them.

``test_crawl.py::test_planted_pages_fail_the_checks`` serves the project with ``settings.py``
here: the project's own URLs plus three planted patterns (``urls.py``) whose templates nobody
translated or sized for a phone. Never part of the product.
"""
