"""The server-wide memory budget (--max-buffered-bytes) and the body deadline (--body-timeout-ms),
against a real process started with a small budget: stalled bodies are refused with the server
still answering and its resident size bounded, and a trickling body is cut off."""

from __future__ import annotations

import json
import socket
import time

import pytest

import sluice_e2e as e2e
from sluice_e2e import requires_sluice
from test_hostile import request_bytes

BUDGET = 32 << 20
BODY = 4 << 20


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if e2e.ENDPOINT:
        pytest.skip("needs a server process of its own (flags, /proc)")
    srv = e2e.SluiceServer(str(tmp_path_factory.mktemp("budget-data")),
                           extra_args=["--max-buffered-bytes", str(BUDGET), "--body-timeout-ms", "2000",
                                       "--threads", "2"])
    srv.start()
    yield srv
    srv.stop()
    srv.cleanup()


def rss_bytes(server) -> int:
    with open(f"/proc/{server.proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def wait_rss_below(server, bound: int, what: str, timeout: float = 10.0) -> int:
    """Polls VmRSS until it is below `bound`; returns it (and prints it)."""
    seen = []

    def below():
        seen.append(rss_bytes(server))
        return seen[-1] < bound

    try:
        e2e.wait_until(below, timeout, f"RSS below {bound >> 20} MiB {what}", interval=0.1)
    finally:
        print(f"RSS {what}: {seen[-1] >> 20} MiB (bound {bound >> 20} MiB)")
    return seen[-1]


def connect(server, rcvbuf: int = 0) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(10)
    s.connect(("127.0.0.1", server.port))
    return s


def read_response(s: socket.socket) -> tuple:
    """(status, headers dict with lower-case names, body) of one Content-Length response."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        assert chunk, f"connection closed before a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = s.recv(65536)
        assert chunk, "connection closed inside the body"
        body += chunk
    return int(lines[0].split()[1]), headers, body


def put_head(length: int) -> bytes:
    """The head of a PutRecord whose body (of `length` bytes) is still to come."""
    return (
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
        "X-Amz-Target: Kinesis_20131202.PutRecord\r\n"
        f"Authorization: {e2e.DUMMY_AUTH}\r\nContent-Length: {length}\r\n\r\n").encode()


@requires_sluice("the memory budget is a Sluice flag")
def test_stalled_bodies_over_the_budget_get_503_and_rss_comes_back_down(server):
    kinesis = e2e.client(server.endpoint)
    name = e2e.unique_name("budget")
    e2e.create_stream(kinesis, name, 1)
    before = rss_bytes(server)
    log_start = len(server.log)
    started = time.monotonic()
    stalled = []
    refused = 0
    try:
        # 40 connections each send most of a 4 MiB body and stall: 160 MiB asked, 32 MiB allowed.
        for _ in range(40):
            s = connect(server)
            s.sendall(put_head(BODY) + b"x" * (BODY - 1024))
            stalled.append(s)
        during = rss_bytes(server)
        # A new body is refused too, while /health and small requests are still answered.
        probe = connect(server)
        probe.sendall(put_head(BODY))
        status, _, body = read_response(probe)
        assert status == 503, body
        probe.close()
        assert e2e.health_status(server.endpoint) == 200
        e2e.assert_alive(server.endpoint)
        # Those beyond the budget were answered 503 in the service's shape and closed.
        for s in stalled:
            s.settimeout(0.2)
            try:
                status, headers, body = read_response(s)
            except (socket.timeout, AssertionError):
                continue
            if status == 408:
                continue  # admitted, then cut off by the 2 s body deadline meanwhile
            assert status == 503, (status, body)
            assert headers.get("x-amzn-errortype") == "ServiceUnavailable", headers
            assert json.loads(body)["__type"] == "ServiceUnavailable", body
            refused += 1
        assert refused >= 30, f"only {refused} of 40 stalled bodies were refused"
        # The refusals are logged at most once a second, with the count of those not logged.
        lines = [line for line in server.log[log_start:].splitlines() if "answering 503" in line]
        assert 1 <= len(lines) <= time.monotonic() - started + 1, "\n".join(lines)
    finally:
        for s in stalled:
            s.close()
    print(f"\nRSS before {before >> 20} MiB, during {during >> 20} MiB, limit {BUDGET >> 20} MiB")
    assert during < before + 3 * BUDGET, f"RSS {during >> 20} MiB with a {BUDGET >> 20} MiB budget"
    # The bodies' memory goes back to the OS once they left: every loop trims its heap.
    wait_rss_below(server, before + BUDGET // 4, "after the stalled bodies left")
    # And bodies fit again.
    kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"y" * (512 << 10))


@requires_sluice("the body deadline is a Sluice flag")
def test_body_trickling_one_byte_a_second_is_cut_off_with_408(server):
    s = connect(server)
    start = time.monotonic()
    s.sendall(put_head(100))
    s.settimeout(0.5)
    got = b""
    while time.monotonic() - start < 10:
        try:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        except socket.timeout:
            s.sendall(b"x")  # one byte each half second: progress, but too slow
            continue
    elapsed = time.monotonic() - start
    assert got.startswith(b"HTTP/1.1 408"), got
    assert b"RequestTimeoutException" in got, got
    assert elapsed < 6, f"cut off after {elapsed:.1f}s with a 2 s deadline"
    s.close()


def subscribe_raw(server, consumer_arn: str, shard_id: str) -> socket.socket:
    """A SubscribeToShard from TRIM_HORIZON on a socket that is never read (a tiny receive buffer)."""
    body = json.dumps({"ConsumerARN": consumer_arn, "ShardId": shard_id,
                       "StartingPosition": {"Type": "TRIM_HORIZON"}}).encode()
    s = connect(server, rcvbuf=4096)
    s.sendall(("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
               "X-Amz-Target: Kinesis_20131202.SubscribeToShard\r\n"
               f"Authorization: {e2e.DUMMY_AUTH}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
    return s
