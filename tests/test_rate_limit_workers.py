"""Rate limits hold across gunicorn workers when REDIS_URL is set (issue 10, finding 9): a real server with two
worker processes, each of which answers at least a full limit's worth of sign-in attempts."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import pytest

from tests.servers import free_port, start_gunicorn

REDIS_URL = "redis://127.0.0.1:6379/5"
LIMIT = 5


def _redis_or_none():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


def _login_attempt(port: int) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/auth/login", data=b"email=x%40example.jp&password=nope",
                                     headers={"Connection": "close"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _serve(tmp_path: Path, extra_env: dict):
    """Start gunicorn with two workers; yield (port, access log path) and stop it afterwards."""
    port = free_port()
    env = {**os.environ, "HUB_ENV": "development", "SECRET_KEY": "w" * 40, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.sqlite3'}", "HUB_UPLOAD_FOLDER": str(tmp_path / "uploads"),
           "HUB_RATELIMIT_LOGIN": f"{LIMIT} per minute", "HUB_WTF_CSRF_ENABLED": "false", **extra_env}
    if "REDIS_URL" not in extra_env:
        env.pop("REDIS_URL", None)
    log = tmp_path / "access.log"
    process = start_gunicorn(env, port, "--access-logfile", str(log), "--access-logformat", "%(p)s %(m)s %(s)s")
    return process, port, log


def _hammer(port: int, log: Path) -> tuple[list[int], Counter]:
    """Sign-in attempts until each of the two workers has answered at least LIMIT of them (at most 200)."""
    codes: list[int] = []
    per_worker: Counter = Counter()
    for _ in range(200):
        codes.append(_login_attempt(port))
        time.sleep(0.01)
        lines = [line.split() for line in log.read_text().splitlines()]
        per_worker = Counter(pid for pid, method, _status in lines if method == "POST")
        if len(per_worker) == 2 and min(per_worker.values()) >= LIMIT:
            break
    return codes, per_worker


def _run(tmp_path: Path, extra_env: dict) -> tuple[list[int], Counter]:
    process, port, log = _serve(tmp_path, extra_env)
    try:
        return _hammer(port, log)
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def redis_db():
    client = _redis_or_none()
    if client is None:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: the shared-limit test needs a running Redis")
    prefix = "t" + uuid.uuid4().hex
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


def test_the_login_limit_is_global_across_workers_with_redis(tmp_path, redis_db):
    codes, per_worker = _run(tmp_path, {"REDIS_URL": REDIS_URL, "HUB_RATELIMIT_KEY_PREFIX": redis_db})
    assert len(per_worker) == 2 and min(per_worker.values()) >= LIMIT, per_worker  # both workers took a full share
    assert set(codes) <= {200, 429}
    assert codes.count(200) == LIMIT, (codes, per_worker)
    assert codes[:LIMIT] == [200] * LIMIT and codes[LIMIT:] == [429] * (len(codes) - LIMIT)


def test_control_without_redis_each_worker_counts_on_its_own(tmp_path):
    """The finding as it was: with memory:// storage two workers let through twice the limit."""
    codes, per_worker = _run(tmp_path, {})
    assert len(per_worker) == 2 and min(per_worker.values()) >= LIMIT, per_worker
    assert codes.count(200) == 2 * LIMIT, (codes, per_worker)
