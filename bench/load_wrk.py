"""gunicorn on a free loopback port and ``wrk`` against it, for ``make bench-load``.

Every server runs in a process group of its own (so a Ctrl-C in the terminal does not reach it half-way) and is
stopped by that group's id when the benchmark ends, however it ends.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK = os.environ.get("BENCH_WRK", "/usr/bin/wrk")
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS") or 2)  # gunicorn workers (4 for the memory figure)
# The access log format of the edit-latency server: our request tag, the worker's pid, the time in seconds.
TAG_HEADER = "X-Bench-Tag"
ACCESS_FORMAT = '%({x-bench-tag}i)s %(p)s %(L)s %(s)s'


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``gunicorn APP`` with the benchmark's settings: 2 sync workers on 127.0.0.1, long timeout (a 100k index
    build must not get a worker killed), optionally an access log that tells which worker served a request."""

    def __init__(self, app: str, env: dict[str, str], workdir: Path, name: str, access_log: bool = False):
        self.port = free_port()
        self.name = name
        self.error_log = workdir / f"{name}.log"
        self.access_log = workdir / f"{name}.access.log" if access_log else None
        cmd = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{self.port}",
               "--timeout", "600", "--graceful-timeout", "3", "--error-logfile", str(self.error_log)]
        if self.access_log:
            cmd += ["--access-logfile", str(self.access_log), "--access-logformat", ACCESS_FORMAT]
        cmd.append(app)
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=60) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError(f"{self.name}: no answer on {path} within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.error_log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def worker_times(self) -> dict[str, tuple[int, float, int]]:
        """tag → (worker pid, seconds, status) from the access log."""
        out: dict[str, tuple[int, float, int]] = {}
        if not self.access_log or not self.access_log.exists():
            return out
        for line in self.access_log.read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[0] != "-":
                out[parts[0]] = (int(parts[1].strip("<>")), float(parts[2]), int(parts[3]))
        return out

    def stop(self) -> None:
        """TERM the master (it stops its workers), then KILL the whole group if anything is left."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=10)


# --- wrk -------------------------------------------------------------------------------------------------------

_DONE = r'''
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local tally = {}
  for _, t in ipairs(threads) do
    local c = t:get("tally")
    if c then for k, v in pairs(c) do tally[k] = (tally[k] or 0) + v end end
  end
  local duration = summary.duration
  local t = threads[1]
  if #threads == 1 and t:get("first_us") and t:get("last_us") then
    duration = t:get("last_us") - t:get("first_us")  -- the first request to the last answer
  end
  local parts = {}
  for k, v in pairs(tally) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
  local e = summary.errors
  io.write(string.format('BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "non2xx": %d, "socket_errors": %d, "tally": {%s}}\n',
    summary.requests, math.floor(duration), latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, e.status, e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
'''

# Bookings: a new visitor (email) per request, a bounded number of answers, each answer's code and status counted.
_BOOKING = r'''
tally = {}
local counter, answered, limit = 0, 0, %(limit)d
-- wrk's own duration is the -d it slept, also when the thread stopped early: time the bookings here (monotonic).
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_ts; int clock_gettime(int, bench_ts *); ]]
local ts = ffi.new("bench_ts")
local function now_us()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end
function request()
  counter = counter + 1
  if counter == 1 then first_us = now_us() end
  local body = string.format('{"name": "負荷試験 %%d", "email": "bench-%(run)s-%%d@example.jp", "party_size": 1}',
                             counter, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  local s = body and (string.match(body, '"status"%%s*:%%s*"([%%w_]+)"') or
                      string.match(body, '"code"%%s*:%%s*"([%%w_]+)"')) or "-"
  local key = status .. " " .. s
  tally[key] = (tally[key] or 0) + 1
  answered = answered + 1
  last_us = now_us()
  if answered >= limit then wrk.thread:stop() end
end
'''


def lua_long_string(text: str) -> str:
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def lua_script(method: str = "GET", body: dict | None = None, booking_limit: int | None = None,
               run_id: str = "0") -> str:
    """The wrk script: a fixed request (or a fresh booking per request) and a JSON summary on stdout."""
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = {lua_long_string(json.dumps(body, ensure_ascii=False))}")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    if booking_limit is not None:
        lines.append(_BOOKING % {"limit": booking_limit, "run": re.sub(r"\W", "", run_id)})
    return "\n".join(lines) + "\n" + _DONE


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int
    tally: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(url: str, script: str, script_path: Path, seconds: int, connections: int = 16,
            threads: int = 1) -> WrkResult:
    """One wrk run of ``seconds`` (bounded: wrk is killed if it overruns by a minute)."""
    script_path.write_text(script, encoding="utf-8")
    seconds = max(int(seconds), 1)  # wrk takes whole seconds
    cmd = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script_path), url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout[-1500:]} {done.stderr[-1500:]}")
    data = json.loads(line[len("BENCH_JSON "):])
    return WrkResult(requests=data["requests"], seconds=data["duration_us"] / 1e6, p50_ms=data["p50_us"] / 1000,
                     p95_ms=data["p95_us"] / 1000, p99_ms=data["p99_us"] / 1000, max_ms=data["max_us"] / 1000,
                     non2xx=data["non2xx"], socket_errors=data["socket_errors"], tally=data["tally"])
