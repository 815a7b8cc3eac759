"""The test clients' static files: listed once per test process (root ``conftest.py``), and
listed again for settings that change what is found."""

from __future__ import annotations

from django.test import Client, override_settings


def test_a_client_serves_the_static_files_of_its_own_settings(tmp_path, db):
    (tmp_path / "only-here.txt").write_text("found", encoding="utf-8")
    assert Client().get("/static/web/oretrace.css").status_code == 200
    assert Client().get("/static/only-here.txt").status_code == 404
    with override_settings(STATICFILES_DIRS=[tmp_path]):
        response = Client().get("/static/only-here.txt")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"found"
        assert Client().get("/static/web/oretrace.css").status_code == 200
    assert Client().get("/static/only-here.txt").status_code == 404  # the listing of before
