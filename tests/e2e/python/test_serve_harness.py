"""What a test harness or supervisor relies on: the ready file and line with the ports, the
version line, and SIGHUP ending the server as cleanly as SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess

import sluice_e2e as e2e


def test_the_ready_file_names_the_ports_and_pid_and_goes_at_shutdown(spawn, tmp_path):
    ready = tmp_path / "ready.json"
    ready.write_text("left by an earlier run")
    server = spawn("--durability", "memory", "--admin-port", "0", "--ready-file", str(ready))
    info = json.loads(e2e.wait_until(lambda: ready.exists() and ready.read_text(), 10, "the ready file"))
    assert info["port"] == server.port and info["pid"] == server.proc.pid, info
    assert info["tls_port"] is None and isinstance(info["admin_port"], int) and info["admin_port"] > 0, info
    assert f"admin API on 127.0.0.1:{info['admin_port']}" in server.log
    assert e2e.health_status(f"http://127.0.0.1:{info['port']}") == 200
    assert not os.path.exists(f"{ready}.tmp")
    server.stop()
    assert not ready.exists()


def test_the_ready_file_names_the_tls_port(spawn, tmp_path):
    ready = tmp_path / "ready.json"
    server = spawn("--durability", "memory", "--tls", "--ready-file", str(ready))
    info = json.loads(e2e.wait_until(lambda: ready.exists() and ready.read_text(), 10, "the ready file"))
    assert info["port"] == server.port and info["tls_port"] == server.port, info  # TLS shares the port
    assert f"TLS on port {info['tls_port']}" in server.log
    server.stop()


def test_an_unwritable_ready_file_stops_the_server_with_an_error(tmp_path):
    run = subprocess.run([e2e.SLUICE_BIN, "serve", "--durability", "memory", "--port", "0",
                          "--ready-file", str(tmp_path / "no-such-dir" / "ready.json")],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 1, run
    assert "cannot write --ready-file" in run.stdout + run.stderr, run


def test_the_json_log_has_a_ready_line_with_the_ports(spawn):
    server = spawn("--durability", "memory", "--log-format", "json")

    def ready_lines():
        events = [json.loads(line) for line in server.log.splitlines() if line.startswith("{")]
        return [e for e in events if e["msg"] == "ready"]

    ready = e2e.wait_until(ready_lines, 10, f"the ready line; log:\n{server.log}")
    assert len(ready) == 1, server.log
    assert ready[0]["port"] == server.port and ready[0]["pid"] == server.proc.pid, ready
    server.stop()


def test_sighup_finishes_syncs_and_logs_the_shutdown_like_sigterm(spawn):
    server = spawn("--durability", "fsync")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "hup", 1)
    kinesis.put_records(StreamName="hup", Records=[{"PartitionKey": "k", "Data": b"r%d" % i} for i in range(20)])
    server.stop(sig=signal.SIGHUP)
    assert "received SIGHUP, finishing in-flight requests" in server.log, server.log
    assert server.log.rstrip().endswith("sluice stopped"), server.log
    server.restart()
    kinesis = e2e.client(server.endpoint)
    records = e2e.read_shard(kinesis, "hup", "shardId-000000000000")
    assert [r["Data"] for r in records] == [b"r%d" % i for i in range(20)]
    server.stop()


def test_version_names_the_release_commit_and_build_date():
    pattern = r"sluice \d+\.\d+\.\d+ \(git (?:[0-9a-f]{7,}(?:-dirty)?|unknown), built \d{4}-\d\d-\d\d\)\n"
    for args in (["--version"], ["version"]):
        run = subprocess.run([e2e.SLUICE_BIN, *args], capture_output=True, text=True, timeout=10)
        assert run.returncode == 0 and re.fullmatch(pattern, run.stdout), (args, run)
