"""Several gunicorn workers agree on the index without a restart: a real server with two worker processes, and a
change written by a third process (the import command)."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request

import pytest

from tests.servers import BIN, ROOT, free_port, start_gunicorn


def _match(port: int, text: str) -> list[str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/match/factories",
                                     data=json.dumps({"text": text}).encode(),
                                     headers={"Content-Type": "application/json", "Connection": "close"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return [r["external_id"] for r in json.load(response)["results"]]


@pytest.fixture(params=[(), ("-c", "python:hub.matches.gunicorn_preload")], ids=["plain", "preloaded"])
def server(tmp_path, request):
    """The hub under gunicorn, plain (each worker builds its index) or preloaded (built once in the master, the
    workers forked from it share its pages): either way every worker applies later changes."""
    env = {**os.environ, "HUB_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'workers.sqlite3'}",
           "HUB_RATELIMIT_ENABLED": "false", "HUB_UPLOAD_FOLDER": str(tmp_path / "uploads")}
    port = free_port()
    process = start_gunicorn(env, port, *request.param)
    yield port, env, tmp_path
    process.terminate()
    process.wait(timeout=20)


def test_every_worker_sees_a_factory_imported_by_another_process(server):
    port, env, tmp_path = server
    for _ in range(12):  # both workers build their index (empty)
        assert _match(port, "ワイヤーカットで抜き型を作りたい") == []
    path = tmp_path / "new.json"
    path.write_text(json.dumps([{"external_id": "w-1", "name": "新しいワイヤー放電", "ward": "大田区",
                                 "processes": ["ワイヤーカット"]}], ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "import-factories", str(path)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().endswith("created=1 updated=0 rejected=0"), result.stdout + result.stderr
    answers = [_match(port, "ワイヤーカットで抜き型を作りたい") for _ in range(12)]
    assert all(answer[:1] == ["w-1"] for answer in answers), answers
