from fastapi.testclient import TestClient

from replay.app import app

client = TestClient(app)


def test_health():
    assert client.get("/health").json() == {"status": "ok", "reader": "msd_reader"}


def test_summary():
    response = client.post("/summary", json={"text": "0,10.0,4.0\n1000,11.0,6.0\n"})
    assert response.json() == {"records": 2, "mean_speed_mps": 5.0}


def test_malformed():
    assert client.post("/summary", json={"text": "oops"}).status_code == 422
