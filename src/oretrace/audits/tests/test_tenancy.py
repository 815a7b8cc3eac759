"""Another organisation's member gets 404 on every page of an audit it is no party of."""

from __future__ import annotations

import pytest

from oretrace.audits.urls import urlpatterns
from oretrace.core.tests.harness import Page, PageTenancy, page_tenancy_tests

pytestmark = pytest.mark.django_db

PAGES = PageTenancy(
    urlpatterns,
    "audits",
    cross_org={
        "detail": [Page(["audit"])],
        "checklist": [Page(["audit"])],
        "move": [Page(["audit"], {"do": "send_back", "note": "x"})],
        "save_finding": [Page(["audit", "criterion"], {"grade": "minor", "description": "x"})],
        # the auditee's page: A (the audit body) is sent on to the audit's page
        "answer": [Page(["audit"], {"do": "submit"})],
        "action": [Page(["action"], {"do": "done"})],
        "support": [Page(["request"], {"status": "accepted", "response": "x"})],
        "finding_file": [Page(["finding_file"])],
        "action_file": [Page(["action_file"])],
        # the report (its PDF and CSV: test_report.py)
        "report": [Page(["audit"])],
    },
)
test_every_object_page_is_covered, test_other_organisation_gets_404_on_page = page_tenancy_tests(
    PAGES
)
