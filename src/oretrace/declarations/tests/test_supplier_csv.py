"""The supplier list import: tolerant headers, all or nothing, errors by line and column,
known suppliers updated rather than duplicated; CSV in any common encoding and Excel
workbooks; never a 500 for a file of the wrong kind; through the service, the API and the page."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oretrace.core.exceptions import PermissionDenied
from oretrace.declarations import services
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import Supplier
from oretrace.declarations.services.suppliers import import_suppliers
from oretrace.declarations.supplier_list import read_suppliers

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


def test_all_errors_are_listed_up_to_a_limit(member_a):
    lines = "".join(f"S{i},bad\n" for i in range(30))
    assert len(read_suppliers(f"name,email\n{lines}".encode()).errors) == 30
    with pytest.raises(DeclarationError) as caught:
        import_suppliers(f"name,email\n{lines}".encode(), actor=member_a)
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
    none = web_a.post(reverse("declarations:supplier_import"), {}, follow=True)
    assert "choose a CSV file or an Excel workbook" in none.content.decode()


# --- any encoding, Excel workbooks, files of the wrong kind -----------------------------------

NAMES = [
    ("株式会社東京金属", "tokyo@example.jp", "JP"),
    ("Müller Hütte GmbH", "mueller@example.de", "DE"),
    ("Société Générale des Métaux", "sgm@example.fr", "FR"),
    ("Fundição São Paulo Ltda", "fsp@example.br", "BR"),
]


def _text(rows, delimiter=","):
    lines = [delimiter.join(("Supplier name", "E-mail", "Country"))]
    lines += [delimiter.join(row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    ("encoding", "rows"),
    [
        ("utf-8", NAMES),
        ("utf-8-sig", NAMES),
        ("utf-16", NAMES),  # Excel's "Unicode text": UTF-16 with a BOM
        ("utf-16-le", NAMES),  # without a BOM
        (
            "shift_jis",
            [
                ("株式会社東京金属", "t@example.jp", "JP"),
                ("大阪電子工業株式会社", "o@example.jp", "JP"),
                ("名古屋精錬所", "n@example.jp", "JP"),
            ],
        ),
        ("cp1252", NAMES[1:]),
        (
            "cp1250",
            [
                ("Huta Łódź Spółka z o.o.", "l@example.pl", "PL"),
                ("Zakłady Metalowe Wrocław", "w@example.pl", "PL"),
                ("Śląskie Odlewnie", "s@example.pl", "PL"),
            ],
        ),
    ],
)
def test_csv_in_any_common_encoding(member_a, encoding, rows):
    data = _text(rows, ";" if encoding == "cp1250" else ",").encode(encoding)
    with_bom = encoding == "utf-8-sig" or encoding == "utf-16"
    assert data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) == with_bom
    done = import_suppliers(data, actor=member_a, filename="list.csv")
    assert done.created == [name for name, _e, _c in rows]
    assert set(Supplier.objects.values_list("name", "email", "country_id")) == set(rows)


def test_the_reader_reads_no_database(django_assert_num_queries):
    data = _text(NAMES).encode("utf-16")
    with django_assert_num_queries(0):
        found = read_suppliers(data, "list.csv")
    assert [values["name"] for _line, values in found.rows] == [n for n, _e, _c in NAMES]
    assert found.rows[0][1]["country"] == "JP"  # as written: resolved by the service
    bad = read_suppliers(b"name,email\nA,not-mail\n,b@example.com\n", "list.csv")
    assert bad.errors == [
        "line 2, column email: 'not-mail' is not an e-mail address",
        "line 3, column name: the supplier's name is empty",
    ]


def _workbook(rows, *, first_row=1, title="Suppliers"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=first_row + offset, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_workbook_is_read(member_a):
    data = _workbook(
        [
            ("Supplier", "Vendor number", "Email address", "Country"),
            ("株式会社東京金属", 1001, "tokyo@example.jp", "Japan"),
            ("Alpha Metals", 1002.0, None, "de"),
            (None, None, None, None),
            ("Beta  Solder", date(2024, 5, 1), "", "IND"),
        ],
        first_row=3,  # a title row or two above the header
    )
    done = import_suppliers(data, actor=member_a, filename="Lieferanten.xlsx")
    assert done.created == ["株式会社東京金属", "Alpha Metals", "Beta Solder"]
    tokyo = Supplier.objects.get(reference="1001")
    assert (tokyo.email, tokyo.country_id) == ("tokyo@example.jp", "JP")
    assert Supplier.objects.get(name="Alpha Metals").reference == "1002"
    assert Supplier.objects.get(name="Beta Solder").reference == "2024-05-01"


def test_errors_in_a_workbook_name_the_row_and_column(member_a):
    data = _workbook(
        [("Name", "E-mail", "Country"), ("A", "a@example.com", "Atlantis"), ("B", "nope", "")]
    )
    with pytest.raises(DeclarationError) as refused:
        import_suppliers(data, actor=member_a, filename="list.xlsx")
    assert str(refused.value) == (
        "nothing was imported: row 2, column country: 'Atlantis' is not a country (use the ISO "
        "code, e.g. DE, or the name); row 3, column email: 'nope' is not an e-mail address"
    )
    assert not Supplier.objects.exists()


def _bad_files(shared_data):
    from oretrace.core.tests.bombs import workbook_bomb

    templates = shared_data / "rmi-templates"
    (cmrt,) = [p for p in (templates / "filled").iterdir() if "Merck" in p.name]
    return [
        ("invalid_cmrt.xls", (templates / "legacy" / "invalid_cmrt.xls").read_bytes()),
        ("2.00_-_valid_2.xls", (templates / "legacy" / "2.00_-_valid_2.xls").read_bytes()),
        (cmrt.name, cmrt.read_bytes()),
        ("bomb.xlsx", workbook_bomb()),
        ("truncated.xlsx", _workbook([("name",), ("A",)])[:500]),
        ("random.csv", bytes(range(256)) * 20),
        ("nul.csv", b"name\x00,email\nA\x00B,a@example.com\n"),
        ("bare-cr.csv", b"name,email\rA,a@example.com\rB,\r"),
        ("lone.csv", b"\xff\xfe"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
    ]


def test_no_file_of_the_wrong_kind_answers_500(member_a, api_a, web_a, shared_data):
    for name, data in _bad_files(shared_data):
        api = api_a.post("/api/v1/suppliers/import", {"file": SimpleUploadedFile(name, data)})
        assert api.status_code in (200, 400), (name, api.status_code, api.content[:300])
        if api.status_code == 400:
            assert api.json()["detail"], name
        page = web_a.post(
            reverse("declarations:supplier_import"),
            {"file": SimpleUploadedFile(name, data)},
            follow=True,
        )
        assert page.status_code == 200, name
    refused = api_a.post(
        "/api/v1/suppliers/import",
        {"file": SimpleUploadedFile("bomb.xlsx", _bad_files(shared_data)[3][1])},
    )
    assert "inflates to" in refused.json()["detail"]
    cmrt = api_a.post(
        "/api/v1/suppliers/import",
        {"file": SimpleUploadedFile("cmrt.xlsx", _bad_files(shared_data)[2][1])},
    )
    assert "no column for the supplier's name" in cmrt.json()["detail"]


def test_the_page_takes_a_workbook(web_a):
    data = _workbook([("name", "country"), ("Gamma Tantalum", "DE")])
    response = web_a.post(
        reverse("declarations:supplier_import"),
        {"file": SimpleUploadedFile("suppliers.xlsx", data)},
        follow=True,
    )
    assert "1 new, 0 updated, 0 unchanged" in response.content.decode()
    assert Supplier.objects.get().country_id == "DE"
