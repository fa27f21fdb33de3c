"""Hostile and unusual clients over raw sockets. After each test the server must still be healthy
and a sentinel stream written before must read back unchanged."""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from urllib.parse import urlparse

import pytest

import sluice_e2e as e2e
from sluice_e2e import b64, requires_sluice

SOCK_TIMEOUT = 10.0


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """A server of its own, so that a crash here does not take the other modules down."""
    yield from e2e.serve_endpoint(str(tmp_path_factory.mktemp("hostile-data")))


@pytest.fixture(scope="module")
def kinesis(endpoint):
    return e2e.client(endpoint.url)


@pytest.fixture(scope="module")
def account(kinesis):
    return e2e.probe_account(kinesis)


@pytest.fixture(scope="module")
def sentinel(kinesis):
    name = e2e.unique_name("sentinel")
    e2e.create_stream(kinesis, name, 2)
    res = kinesis.put_records(StreamName=name, Records=[
        {"PartitionKey": f"k{i}", "Data": f"sentinel-{i}".encode() * (i + 1)} for i in range(30)])
    assert res["FailedRecordCount"] == 0
    expected = {x["SequenceNumber"]: f"sentinel-{i}".encode() * (i + 1) for i, x in enumerate(res["Records"])}
    yield name, expected
    kinesis.delete_stream(StreamName=name)


@pytest.fixture(autouse=True)
def still_serving(endpoint, kinesis, sentinel):
    yield
    endpoint.check_alive()
    name, expected = sentinel
    got = {r["SequenceNumber"]: r["Data"] for recs in e2e.read_stream(kinesis, name).values() for r in recs}
    assert got == expected, "sentinel data changed"


def addr(endpoint):
    u = urlparse(endpoint.url)
    return u.hostname, u.port


def connect(endpoint, timeout=SOCK_TIMEOUT) -> socket.socket:
    s = socket.create_connection(addr(endpoint), timeout=timeout)
    s.settimeout(timeout)
    return s


def request_bytes(op: str, body: dict, host: str = "127.0.0.1", keep_alive: bool = True) -> bytes:
    payload = json.dumps(body).encode()
    head = (f"POST / HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: application/x-amz-json-1.1\r\n"
            f"X-Amz-Target: Kinesis_20131202.{op}\r\n"
            f"X-Amz-Date: {time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}\r\n"
            f"Authorization: {e2e.DUMMY_AUTH}\r\n"
            f"Content-Length: {len(payload)}\r\n"
            + ("" if keep_alive else "Connection: close\r\n") + "\r\n")
    return head.encode() + payload


class ResponseReader:
    """Reads HTTP/1.1 responses (Content-Length or chunked) off one socket, in order."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self.buf += chunk
        return True

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            if not self._fill():
                raise ConnectionError("closed mid-response")
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not self._fill():
                raise ConnectionError("closed mid-body")
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read(self):
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                raise ConnectionError("closed before a response")
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            headers[k.strip().lower()] = v.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    self._line()
                    break
                body += self._exact(size)
                self._line()
        else:
            body = self._exact(int(headers.get("content-length", "0")))
        return status, headers, body


def read_until_close_or_response(sock: socket.socket, deadline_s: float = SOCK_TIMEOUT) -> bytes:
    """Returns what the server sent before closing (or the first bytes of a response)."""
    data = b""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            chunk = sock.recv(4096)
        except (ConnectionResetError, BrokenPipeError):
            return data
        except socket.timeout:
            break
        if not chunk:
            return data
        data += chunk
        if b"\r\n\r\n" in data:
            return data
    raise AssertionError(f"server neither answered nor closed within {deadline_s}s (got {data[:80]!r})")


@pytest.mark.parametrize("payload", [
    b"\x00\xff" + random.Random(7).randbytes(4000) + b"\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    b"POST / HTTP/1.1\r\nthis header has no colon\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"POST / HTTP/1.1\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
], ids=["binary", "word", "no-colon", "negative-length", "bad-length", "bad-chunk", "huge-header"])
def test_garbage_is_rejected_or_closed(endpoint, payload):
    s = connect(endpoint)
    try:
        try:
            s.sendall(payload)
        except (ConnectionResetError, BrokenPipeError):
            return  # closed on us while sending: acceptable
        got = read_until_close_or_response(s)
        if got:
            assert got.startswith((b"HTTP/1.1 4", b"HTTP/1.0 4")), got[:100]
    finally:
        s.close()


def test_slowloris_does_not_block_other_clients(endpoint, kinesis):
    stop = threading.Event()
    socks = [connect(endpoint) for _ in range(4)]
    partial = request_bytes("ListStreams", {})
    slow_body = request_bytes("PutRecord", {"StreamName": "slowloris-never-created", "PartitionKey": "k",
                                            "Data": b64(b"s" * 600)})
    head_end = slow_body.index(b"\r\n\r\n") + 4

    def trickle(sock, data):
        """Sends all but the last byte, one byte every 50 ms, until told to stop."""
        i = 0
        try:
            while not stop.is_set() and i < len(data) - 1:
                sock.sendall(data[i:i + 1])
                i += 1
                stop.wait(0.05)
        except OSError:
            pass

    # Two trickle their headers, two send full headers and trickle the body (left out against
    # the reference emulator, which exits when a request body is aborted).
    threads = [threading.Thread(target=trickle, args=(socks[0], partial), daemon=True),
               threading.Thread(target=trickle, args=(socks[1], partial), daemon=True)]
    for s in socks[2:] if not e2e.REFERENCE else []:
        s.sendall(slow_body[:head_end])
        threads.append(threading.Thread(target=trickle, args=(s, slow_body[head_end:]), daemon=True))
    for t in threads:
        t.start()
    try:
        name = e2e.unique_name("slowloris")
        fast = e2e.client(endpoint.url, read_timeout=5)
        fast.create_stream(StreamName=name, ShardCount=1)
        e2e.wait_active(fast, name)
        started = time.monotonic()
        for i in range(20):
            fast.put_record(StreamName=name, PartitionKey="k", Data=str(i).encode())
            fast.describe_stream_summary(StreamName=name)
        assert time.monotonic() - started < 20, "other clients were slowed down"
        recs = e2e.read_shard(fast, name, "shardId-000000000000")
        assert [r["Data"] for r in recs] == [str(i).encode() for i in range(20)]
        fast.delete_stream(StreamName=name)
    finally:
        stop.set()
        for t in threads:
            t.join(5)
        for s in socks:
            s.close()


@requires_sluice("the reference emulator exits on an aborted request body")
@pytest.mark.parametrize("reset", [False, True], ids=["close", "reset"])
def test_disconnect_mid_body_writes_nothing(endpoint, kinesis, new_stream, reset):
    name = new_stream(1)
    kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"before")
    for i in range(10):
        req = request_bytes("PutRecord", {"StreamName": name, "PartitionKey": "k",
                                          "Data": b64(b"partial-" + bytes([i]) * 5000)})
        cut = len(req) - 100 - i * 7
        s = connect(endpoint)
        s.sendall(req[:cut])
        if reset:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    endpoint.check_alive()
    kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"after")
    recs = e2e.read_shard(kinesis, name, "shardId-000000000000")
    assert [r["Data"] for r in recs] == [b"before", b"after"]


def test_disconnect_before_reading_response(endpoint, kinesis, new_stream):
    """Clients that send a full request and leave: the write happens, the server survives."""
    name = new_stream(1)
    for i in range(10):
        s = connect(endpoint)
        s.sendall(request_bytes("PutRecord", {"StreamName": name, "PartitionKey": "k",
                                              "Data": b64(f"gone-{i}".encode())}))
        s.close()
    # The writes were sent in full, so each is applied exactly once (order across connections
    # is not defined).
    def all_there():
        recs = e2e.read_shard(kinesis, name, "shardId-000000000000")
        return sorted(r["Data"] for r in recs) == sorted(f"gone-{i}".encode() for i in range(10))
    e2e.wait_until(all_there, 10, "all fully sent records to be readable")


@requires_sluice("413 from Content-Length before reading the body")
def test_huge_content_length_gets_413_without_body(endpoint, new_stream, kinesis):
    name = new_stream(1)
    head = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
            f"X-Amz-Target: Kinesis_20131202.PutRecord\r\nAuthorization: {e2e.DUMMY_AUTH}\r\n"
            f"Content-Length: 100000000\r\n\r\n").encode()
    s = connect(endpoint, timeout=5)
    try:
        started = time.monotonic()
        s.sendall(head)  # and no body at all
        status, _, _ = ResponseReader(s).read()
        assert status == 413
        assert time.monotonic() - started < 5
    finally:
        s.close()
    assert e2e.read_shard(kinesis, name, "shardId-000000000000") == []


def test_pipelined_requests_answered_in_order(endpoint, kinesis, new_stream, account):
    name = new_stream(1)
    missing = [e2e.unique_name("missing") for _ in range(3)]
    reqs = [
        request_bytes("PutRecord", {"StreamName": name, "PartitionKey": "k", "Data": b64(b"p0")}),
        request_bytes("DescribeStreamSummary", {"StreamName": missing[0]}),
        request_bytes("PutRecord", {"StreamName": name, "PartitionKey": "k", "Data": b64(b"p1")}),
        request_bytes("DescribeStreamSummary", {"StreamName": name}),
        request_bytes("DescribeStreamSummary", {"StreamName": missing[1]}),
        request_bytes("PutRecord", {"StreamName": name, "PartitionKey": "k", "Data": b64(b"p2")}),
        request_bytes("DescribeStreamSummary", {"StreamName": missing[2]}),
    ]
    s = connect(endpoint)
    try:
        s.sendall(b"".join(reqs))
        reader = ResponseReader(s)
        out = [reader.read() for _ in reqs]
    finally:
        s.close()
    seqs = []
    for i in (0, 2, 5):
        status, _, body = out[i]
        assert status == 200, body
        seqs.append(int(json.loads(body)["SequenceNumber"]))
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    for i, m in ((1, missing[0]), (4, missing[1]), (6, missing[2])):
        status, headers, body = out[i]
        assert status == 400
        assert json.loads(body)["message"] == f"Stream {m} under account {account} not found."
    assert out[3][0] == 200 and json.loads(out[3][2])["StreamDescriptionSummary"]["StreamName"] == name
    assert len({o[1]["x-amzn-requestid"] for o in out}) == len(reqs)
    recs = e2e.read_shard(kinesis, name, "shardId-000000000000")
    assert [r["Data"] for r in recs] == [b"p0", b"p1", b"p2"]


def test_keep_alive_many_requests_one_connection(endpoint, new_stream):
    name = new_stream(1)
    s = connect(endpoint)
    try:
        reader = ResponseReader(s)
        for i in range(200):
            s.sendall(request_bytes("PutRecord", {"StreamName": name, "PartitionKey": "k",
                                                  "Data": b64(str(i).encode())}))
            status, _, body = reader.read()
            assert status == 200, body
    finally:
        s.close()


def test_many_idle_connections(endpoint, kinesis):
    socks = []
    try:
        for _ in range(100):
            socks.append(connect(endpoint))
        kinesis.list_streams(Limit=1)
        e2e.assert_alive(endpoint.url)
    finally:
        for s in socks:
            s.close()


@requires_sluice("HTTP/2 cleartext with prior knowledge")
def test_h2c_preface_gets_settings(endpoint):
    s = connect(endpoint)
    try:
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        reader = ResponseReader(s)
        head = reader._exact(9)
        length, ftype = int.from_bytes(head[:3], "big"), head[3]
        assert ftype == 0x4, f"first frame is type {ftype}, not SETTINGS"
        assert head[4] & 0x1 == 0, "first SETTINGS must not be an ACK"
        reader._exact(length)
    finally:
        s.close()
