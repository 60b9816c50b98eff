"""Bodies a red team sent: lone surrogates, huge numbers, NaN, deep nesting — all 400s, nothing stored."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from gizmo_notebook.local.paths import DATABASE_NAME

LONE = "\\ud83d"  # JSON escape of half an emoji, as JavaScript's JSON.stringify emits for a cut string


def _post(local_server, path: str, raw: str) -> Any:
    with local_server.client() as http:
        return http.post(path, content=raw.encode(), headers={"Content-Type": "application/json"})


def _assert_envelope(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "code", "message"} and body["code"] == code, body
    return body


@pytest.mark.parametrize(
    "raw",
    [
        '{"prompt": "a robot arm ' + LONE + '"}',
        '{"prompt": "arm", "name": "' + LONE + 'x"}',
        '{"prompt": "arm", "tags": ["ok", "cut ' + LONE + '"]}',
        '{"prompt": "arm", "extra": {"deep": ["' + LONE + '"]}}',
        '{"prompt": "arm", "' + LONE + '": 1}',
    ],
)
def test_unencodable_text_in_any_asset_field_is_a_400_and_nothing_is_stored(local_server, raw: str) -> None:
    body = _assert_envelope(_post(local_server, "assets", raw), 400, "INVALID_TEXT")
    assert "surrogate" in body["message"]
    with local_server.client() as http:
        listing = http.get("assets")
    assert listing.status_code == 200 and listing.json()["total"] == 0


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "' + LONE + '", "placements": [{"asset_id": "ast_x"}]}',
        '{"placements": [{"asset_id": "ast_' + LONE + '"}]}',
    ],
)
def test_unencodable_text_in_scene_fields_is_a_400(local_server, raw: str) -> None:
    _assert_envelope(_post(local_server, "scenes", raw), 400, "INVALID_TEXT")
    with local_server.client() as http:
        assert http.get("scenes").json()["total"] == 0


def test_unencodable_text_in_the_export_format_is_a_400(local_server) -> None:
    with local_server.client() as http:
        asset = http.post("assets", json={"prompt": "a gripper"}).json()
    _assert_envelope(_post(local_server, f"assets/{asset['id']}/export", '{"format": "' + LONE + '"}'), 400, "INVALID_TEXT")


def test_listing_survives_rows_an_older_version_stored_with_lone_surrogates(local_server) -> None:
    with local_server.client() as http:
        asset = http.post("assets", json={"prompt": "a gripper", "tags": ["fine"]}).json()
    db = sqlite3.connect(local_server.data_dir / DATABASE_NAME)
    with db:  # exactly what the old server wrote: json.dumps escapes the surrogate, SQLite takes it
        db.execute("UPDATE assets SET tags = ? WHERE id = ?", (json.dumps(["cut \ud83d"]), asset["id"]))
    db.close()
    with local_server.client() as http:
        listing = http.get("assets")
        single = http.get(f"assets/{asset['id']}")
    assert listing.status_code == 200, listing.text
    assert listing.json()["assets"][0]["tags"] == ["cut \ufffd"]
    assert single.status_code == 200 and single.json()["tags"] == ["cut \ufffd"]


@pytest.mark.parametrize("field", ["position", "rpy", "orientation"])
def test_integers_too_large_for_a_float_are_a_400(local_server, field: str) -> None:
    size = 4 if field == "orientation" else 3
    vector = ", ".join(["1" * 401] + ["0"] * (size - 1))
    raw = '{"placements": [{"asset_id": "ast_x", "' + field + '": [' + vector + "]}]}"
    body = _assert_envelope(_post(local_server, "scenes", raw), 400, "INVALID_PLACEMENT")
    assert field in body["message"]


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ('{"prompt": NaN}', "NaN"),
        ('{"prompt": -Infinity}', "Infinity"),
        ('{"prompt": ' + "9" * 5000 + "}", "digits"),
        ('{"prompt": ' + "[" * 5000 + "]" * 5000 + "}", "deep"),
        ('{"prompt": ' + "[" * 40 + "]" * 40 + "}", "deep"),
    ],
)
def test_bad_json_messages_name_the_real_problem(local_server, raw: str, says: str) -> None:
    body = _assert_envelope(_post(local_server, "assets", raw), 400, "INVALID_JSON")
    assert says in body["message"] and "UTF-8" not in body["message"]


def test_invalid_utf8_bytes_still_say_utf8(local_server) -> None:
    with local_server.client() as http:
        response = http.post("assets", content=b'{"prompt": "\xff"}', headers={"Content-Type": "application/json"})
    assert "UTF-8" in _assert_envelope(response, 400, "INVALID_JSON")["message"]


def test_current_api_survives_rows_an_older_version_stored_with_lone_surrogates(current_server) -> None:
    """The current store's JSON columns (asset tags, job options, results, stages, event data), as an
    older server wrote them with ``\\udXXX`` escapes: every read route still answers, with U+FFFD."""
    from _current_api import generate_asset

    from gizmo_notebook.local.current.store import DATABASE_NAME as CURRENT_DATABASE

    with current_server.client() as http:
        asset_id, job = generate_asset(http, "a gripper", tags=["fine"])
    cut = json.dumps(["cut \ud83d"])
    db = sqlite3.connect(current_server.data_dir / CURRENT_DATABASE)
    with db:
        db.execute("UPDATE assets SET tags = ? WHERE id = ?", (cut, asset_id))
        db.execute("UPDATE jobs SET options = ?, result = ?, stage = ? WHERE id = ?",
                   (json.dumps({"tags": ["cut \ud83d"], "name": "x\udc00"}),
                    json.dumps({"asset_id": asset_id, "note": "\ud83d"}), json.dumps({"name": "\ud83d"}), job["id"]))
        db.execute("UPDATE job_events SET data = ? WHERE job_id = ?", (json.dumps({"stage": "\ud83d"}), job["id"]))
    db.close()
    with current_server.client() as http:
        answers = [http.get(path) for path in
                   ("assets", f"assets/{asset_id}", f"jobs/{job['id']}?include_result=true", "scenes")]
        events = http.get(f"jobs/{job['id']}/events")
    for answer in answers:
        assert answer.status_code == 200, answer.text
    assert answers[0].json()["assets"][0]["tags"] == ["cut \ufffd"]
    assert answers[2].json()["job"]["result"]["note"] == "\ufffd"
    assert events.status_code == 200 and '"stage"' in events.text


@pytest.mark.parametrize("value", ["%C2%B2", "%D9%A4%D9%A2", "%EF%BC%91"])  # ², Arabic-Indic 42, fullwidth 1
@pytest.mark.parametrize("api", ["alpha", "current"])
def test_non_ascii_digits_in_numeric_query_values_are_refused(api, value, request) -> None:
    """``str.isdigit`` is true for "²" (and ``int()`` then raises) and for other scripts' digits:
    a number in a query is ASCII digits, else the contract's validation error — never a 500."""
    account = request.getfixturevalue("local_server" if api == "alpha" else "current_server")
    with account.client() as http:
        answers = [http.get(f"assets?limit={value}"), http.get(f"assets?offset={value}"),
                   http.get(f"scenes?limit={value}")]
        if api == "current":
            from _current_api import generate_asset

            _, job = generate_asset(http, "a gripper")
            answers += [http.get(f"jobs/{job['id']}/events?after={value}"),
                        http.get(f"jobs/{job['id']}/events", headers={"Last-Event-ID": b"\xb2"})]
    assert [a.status_code for a in answers] == [400 if api == "alpha" else 422] * len(answers), \
        [(a.status_code, a.text[:100]) for a in answers]
