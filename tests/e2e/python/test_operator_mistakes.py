"""Operator mistakes and exhaustion: two servers on one data directory or one port, running out of
file descriptors, flags out of range, and the server's own protocol-level answers (413, bare LF)
in the service's JSON error shape."""

from __future__ import annotations

import json
import os
import re
import resource
import socket
import subprocess
import time

import pytest

import sluice_e2e as e2e

# A second server that should refuse to start exits at once; one that wrongly starts is killed
# after this long and the test fails.
REFUSAL_DEADLINE_S = 10.0


def run_second_server(*args: str) -> subprocess.CompletedProcess:
    """Runs `sluice serve ARGS` to its exit and returns it (output in .stdout, stderr merged)."""
    try:
        return subprocess.run([e2e.SLUICE_BIN, "serve", "--host", "127.0.0.1", *args],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=REFUSAL_DEADLINE_S, text=True)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"the second server was still running after {REFUSAL_DEADLINE_S}s; "
                             f"output:\n{e.output}") from None


def put_numbered(kinesis, stream: str, first: int, count: int):
    kinesis.put_records(StreamName=stream, Records=[
        {"PartitionKey": "k", "Data": b"r%04d" % i} for i in range(first, first + count)])


def test_a_second_server_on_the_same_data_dir_exits_naming_the_holder(spawn):
    first = spawn()
    kinesis = e2e.client(first.endpoint)
    e2e.create_stream(kinesis, "locked", 1)
    put_numbered(kinesis, "locked", 0, 50)

    second = run_second_server("--port", "0", "--data-dir", first.data_dir)
    assert second.returncode != 0, second.stdout
    assert f"data directory {first.data_dir} is in use by another sluice process (pid {first.proc.pid})" \
        in second.stdout, second.stdout
    assert "listening on" not in second.stdout

    # The first server kept serving, and nothing it acknowledged was touched.
    put_numbered(kinesis, "locked", 50, 50)
    first.stop()
    first.restart()
    kinesis = e2e.client(first.endpoint)
    records = e2e.read_shard(kinesis, "locked", "shardId-000000000000")
    assert [r["Data"] for r in records] == [b"r%04d" % i for i in range(100)]


def test_a_memory_server_does_not_take_the_data_dir_lock(spawn):
    first = spawn()
    other = spawn("--durability", "memory", data_dir=first.data_dir)
    assert other.healthy() and first.healthy()


def test_a_second_server_on_the_same_port_fails_with_address_in_use(spawn):
    first = spawn("--durability", "memory")
    second = run_second_server("--port", str(first.port), "--durability", "memory")
    assert second.returncode != 0, second.stdout
    assert f"cannot listen on 127.0.0.1:{first.port}" in second.stdout, second.stdout
    assert "address already in use" in second.stdout.lower(), second.stdout
    # Every call still reaches the first server (with a shared port some went to the second).
    kinesis = e2e.client(first.endpoint)
    e2e.create_stream(kinesis, "only", 1)
    for _ in range(10):
        assert kinesis.list_streams()["StreamNames"] == ["only"]


def test_a_second_server_on_the_same_tls_port_fails_with_address_in_use(spawn):
    first = spawn("--durability", "memory", "--tls", "--tls-port", "0")
    # Logged just after the line start() waits for.
    found = e2e.wait_until(lambda: re.search(r"TLS on port (\d+)", first.log), 5, "the TLS port in the log")
    tls_port = int(found.group(1))
    second = run_second_server("--port", "0", "--durability", "memory", "--tls", "--tls-port", str(tls_port))
    assert second.returncode != 0, second.stdout
    assert f"cannot listen on 127.0.0.1:{tls_port}" in second.stdout, second.stdout
    assert "address already in use" in second.stdout.lower(), second.stdout


def limit_descriptors(n: int):
    """A preexec_fn: soft and hard RLIMIT_NOFILE of `n` (the server raises soft to hard)."""
    def apply():
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    return apply


@pytest.fixture
def few_descriptors_server(tmp_path):
    """A server with two loops and a descriptor limit of 256 (soft and hard)."""
    if not (e2e.SLUICE_BIN and os.path.isfile(e2e.SLUICE_BIN)):
        pytest.skip("not run: needs process control over a Sluice binary (SLUICE_BIN)")
    server = e2e.SluiceServer(str(tmp_path / "data"), ["--durability", "memory", "--threads", "2"],
                              preexec_fn=limit_descriptors(256))
    try:
        yield server.start()
    finally:
        server.cleanup()


def open_connections(port: int, count: int, first_bytes: bytes = b"") -> list:
    """`count` connected sockets (the kernel completes them even when the server cannot accept)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 1024), hard))
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if first_bytes:
            s.sendall(first_bytes)
        sockets.append(s)
    return sockets


def health_probe(port: int, deadline_s: float) -> tuple[int, str, bytes]:
    s = socket.create_connection(("127.0.0.1", port), timeout=deadline_s)
    try:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        return e2e.read_http_response(s, deadline_s)
    finally:
        s.close()


def out_of_descriptor_lines(server: e2e.SluiceServer) -> list:
    return [line for line in server.log.splitlines() if "out of descriptors" in line]


def test_out_of_descriptors_idle_connections_make_room_for_a_new_client(few_descriptors_server):
    server = few_descriptors_server
    idle = open_connections(server.port, 600)
    try:
        e2e.wait_until(lambda: out_of_descriptor_lines(server), 10, f"the out-of-descriptors line\n{server.log}")
        started = time.monotonic()
        status, _, _ = health_probe(server.port, 5)
        assert status == 200
        assert time.monotonic() - started < 5
        # boto3 is served too (botocore would retry a 503).
        kinesis = e2e.client(server.endpoint, read_timeout=5)
        assert kinesis.list_streams()["StreamNames"] == []
    finally:
        for s in idle:
            s.close()
    assert "accept failed" not in server.log
    # One line per loop and 10 s interval at most, however many clients were turned away.
    assert 1 <= len(out_of_descriptor_lines(server)) <= 4, server.log
    server.stop()


# The HTTP/2 connection preface and an empty SETTINGS frame: an HTTP/2 client
# (prior knowledge) that has opened no stream.
HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


def test_out_of_descriptors_idle_http2_connections_make_room_too(few_descriptors_server):
    server = few_descriptors_server
    idle = open_connections(server.port, 600, HTTP2_PREFACE)
    try:
        e2e.wait_until(lambda: out_of_descriptor_lines(server), 10, f"the out-of-descriptors line\n{server.log}")
        status, _, _ = health_probe(server.port, 5)
        assert status == 200
    finally:
        for s in idle:
            s.close()
    assert "accept failed" not in server.log
    server.stop()


def test_out_of_descriptors_with_no_idle_connection_answers_503_at_once(few_descriptors_server):
    server = few_descriptors_server
    # Each has begun a request, so none is idle: the server cannot close them to make room.
    busy = open_connections(server.port, 400, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    try:
        e2e.wait_until(lambda: out_of_descriptor_lines(server), 10, f"the out-of-descriptors line\n{server.log}")
        started = time.monotonic()
        status, head, body = health_probe(server.port, 5)
        assert time.monotonic() - started < 5
        assert status == 503, (head, body)
        assert re.search(r"(?im)^connection: close", head), head
        assert re.search(r"(?im)^content-type: application/x-amz-json-1.1", head), head
        assert json.loads(body)["__type"] == "ServiceUnavailable", body
    finally:
        for s in busy:
            s.close()
    # With the connections gone the server serves again.
    e2e.wait_until(lambda: health_probe(server.port, 5)[0] == 200, 10, "a 200 once the descriptors are back")
    assert "accept failed" not in server.log
    assert 1 <= len(out_of_descriptor_lines(server)) <= 4, server.log
    server.stop()


def test_flags_out_of_range_are_refused_with_a_clear_error(tmp_path):
    cases = [
        (["--clock-offset-ms", str(2**36 * 1000)], "--clock-offset-ms"),
        (["--clock-offset-ms", str(2**63 - 1)], "--clock-offset-ms"),
        (["--clock-offset-ms", str(-(2**63))], "--clock-offset-ms"),
        (["--durability", "2"], "--durability"),
        (["--durability", "0"], "--durability"),
        (["--durability", "sometimes"], "--durability"),
    ]
    for args, flag in cases:
        done = run_second_server("--port", "0", "--data-dir", str(tmp_path / "data"), *args)
        assert done.returncode != 0, (args, done.stdout)
        assert flag in done.stdout, (args, done.stdout)
        assert "listening on" not in done.stdout, (args, done.stdout)


def test_valid_flag_values_still_start(spawn):
    server = spawn("--durability", "OS", "--clock-offset-ms", str(-86_400_000))
    assert "durability os" in server.log
    server.stop()


def test_an_oversized_body_gets_413_in_the_json_error_shape(spawn):
    server = spawn("--durability", "memory")
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        s.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
                  b"X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 100000000\r\n\r\n")
        status, head, body = e2e.read_http_response(s, 5)
    finally:
        s.close()
    assert status == 413
    assert re.search(r"(?im)^content-type: application/x-amz-json-1.1", head), head
    error = json.loads(body)
    assert error["__type"] == "RequestEntityTooLargeException" and error["message"], error


def test_an_oversized_body_over_http2_gets_413_in_the_json_error_shape(spawn, tmp_path):
    server = spawn("--durability", "memory")
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * (17 << 20))
    done = subprocess.run(
        ["curl", "-sS", "--http2-prior-knowledge", "-o", "-", "-w", "\n%{http_code} %{http_version}",
         "-H", "Content-Type: application/x-amz-json-1.1", "-H", "X-Amz-Target: Kinesis_20131202.ListStreams",
         "--data-binary", f"@{big}", f"{server.endpoint}/"],
        capture_output=True, text=True, timeout=30)
    body, _, status_line = done.stdout.rpartition("\n")
    assert status_line == "413 2", (done.stdout[-300:], done.stderr)
    assert json.loads(body)["__type"] == "RequestEntityTooLargeException", body


def test_bare_lf_line_endings_get_400_at_once(spawn):
    server = spawn("--durability", "memory")
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        started = time.monotonic()
        s.sendall(b"GET /health HTTP/1.1\nHost: 127.0.0.1\n\n")
        status, _, body = e2e.read_http_response(s, 5)  # the header timeout is 30 s
        assert time.monotonic() - started < 5
    finally:
        s.close()
    assert status == 400
    assert json.loads(body)["__type"] == "MalformedHttpRequestException", body
    assert server.healthy()
