"""`GET /healthz` (INTERFACES.md): 200 when the database and the broker answer, 503 naming the
part that does not; no login needed and no data in it."""

import socket

import pytest

from safebabies.celery import app as celery_app

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_ok_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_names_the_broker_when_it_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{closed_port()}/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"] != "ok"
    assert body["status"] != "ok"
    assert body["database"] == "ok"


def test_healthz_names_the_database_when_it_fails(client, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OSError("database is down")

    monkeypatch.setattr("safebabies.views.connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] != "ok"
    assert response.json()["broker"] == "ok"


def test_healthz_holds_no_data(client, family):
    body = client.get("/healthz").content.decode()
    assert family.id not in body and "Rivera" not in body and "north" not in body


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
