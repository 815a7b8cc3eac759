"""The supplier list import: tolerant headers, all or nothing, errors by line and column,
known suppliers updated rather than duplicated; through the service, the API and the page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oretrace.core.exceptions import PermissionDenied
from oretrace.declarations import services
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import Supplier
from oretrace.declarations.supplier_csv import import_suppliers, read_suppliers

pytestmark = pytest.mark.django_db

GOOD = (
    "Supplier Name;Vendor code;E-mail address;Country code\n"
    "Alpha Metals GmbH;SUP-1;alpha@example.com;DE\n"
    "  Beta   Solder ;SUP-2;;india\n"
    "\n"
    "Gamma Tantalum;;gamma@example.com;\n"
)


def test_tolerant_headers_delimiters_and_encodings(member_a):
    # given a semicolon list saved by Excel with a BOM
    data = ("\ufeff" + GOOD).encode("utf-8")
    # when
    done = import_suppliers(data, actor=member_a)
    # then
    assert done.as_json() == {"created": 3, "updated": 0, "unchanged": 0}
    alpha, beta, gamma = Supplier.objects.order_by("name")
    assert (alpha.reference, alpha.email, alpha.country_id) == ("SUP-1", "alpha@example.com", "DE")
    assert (beta.name, beta.country_id) == ("Beta Solder", "IN")
    assert gamma.email == "gamma@example.com"
    windows = "name,email,country\nSão Tomé Trading,st@example.com,ST\n".encode("cp1252")
    assert import_suppliers(windows, actor=member_a).created == ["São Tomé Trading"]


def test_known_suppliers_are_updated_not_duplicated(member_a):
    services.create_supplier(actor=member_a, name="Alpha Metals GmbH", reference="OLD")
    services.create_supplier(
        actor=member_a, name="Gamma Tantalum", email="gamma@example.com", reference="G"
    )
    done = import_suppliers(GOOD.encode(), actor=member_a)
    assert (done.created, done.updated, done.unchanged) == (
        ["Beta Solder"],
        ["Alpha Metals GmbH"],
        ["Gamma Tantalum"],
    )
    assert Supplier.objects.count() == 3
    alpha = Supplier.objects.get(name="Alpha Metals GmbH")
    assert (alpha.reference, alpha.email) == ("SUP-1", "alpha@example.com")
    # An empty cell does not erase what is known.
    assert Supplier.objects.get(name="Gamma Tantalum").reference == "G"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,email\nA,not-a-mail\n", "line 2, column email: 'not-a-mail' is not an e-mail"),
        ("name,country\nA,DE\nB,Atlantis\n", "line 3, column country: 'Atlantis' is not a country"),
        ("name,email\n,a@example.com\n", "line 2, column name: the supplier's name is empty"),
        ("name\nA\na\n", "line 3, column name: 'a' is already on line 2"),
        ("company,mail\n", "the file has a header but no suppliers"),
        ("email,country\nx@example.com,DE\n", "line 1: no column for the supplier's name"),
        ("name,supplier\nA,B\n", "line 1: two columns mean name"),
        ("", "the file is empty"),
    ],
)
def test_bad_lists_are_refused_whole(member_a, text, message):
    with pytest.raises(DeclarationError, match=message):
        import_suppliers(text.encode(), actor=member_a)
    assert not Supplier.objects.exists()


def test_one_bad_row_refuses_the_good_ones_too(member_a):
    data = b"name,email\nGood One,good@example.com\nBad One,bad@\nGood Two,\n"
    with pytest.raises(DeclarationError, match="nothing was imported: line 3, column email"):
        import_suppliers(data, actor=member_a)
    assert not Supplier.objects.exists()


def test_all_errors_are_listed_up_to_a_limit():
    lines = "".join(f"S{i},bad\n" for i in range(30))
    with pytest.raises(DeclarationError) as caught:
        read_suppliers(f"name,email\n{lines}".encode())
    message = str(caught.value)
    assert "line 2, column email" in message
    assert "line 21, column email" in message
    assert "… and 10 more" in message


def test_viewers_cannot_import(viewer_a):
    with pytest.raises(PermissionDenied):
        import_suppliers(b"name\nA\n", actor=viewer_a)


def test_import_through_the_api(api_a, api_b):
    response = api_a.post(
        "/api/v1/suppliers/import", {"file": SimpleUploadedFile("s.csv", GOOD.encode())}
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "updated": 0, "unchanged": 0}
    bad = api_a.post(
        "/api/v1/suppliers/import", {"file": SimpleUploadedFile("s.csv", b"name,email\nA,x\n")}
    )
    assert bad.status_code == 400
    assert "line 2, column email" in bad.json()["detail"]
    assert api_b.get("/api/v1/suppliers").json()["count"] == 0


def test_import_through_the_page(web_a):
    page = web_a.get(reverse("declarations:supplier_import"))
    assert page.status_code == 200
    response = web_a.post(
        reverse("declarations:supplier_import"),
        {"file": SimpleUploadedFile("s.csv", GOOD.encode())},
        follow=True,
    )
    text = response.content.decode()
    assert "3 new, 0 updated, 0 unchanged" in text
    assert "Beta Solder" in text
    bad = web_a.post(
        reverse("declarations:supplier_import"),
        {"file": SimpleUploadedFile("s.csv", b"name,country\nA,ZZ\n")},
        follow=True,
    )
    assert "line 2, column country" in bad.content.decode()
    assert Supplier.objects.count() == 3
