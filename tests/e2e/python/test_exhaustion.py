"""Resource exhaustion: no free descriptors during a segment roll, a full filesystem.

Whatever fails is answered with an error and logged with its cause; nothing that was
acknowledged is lost across a kill -9 and restart. These tests own their server processes
(fresh data dir each) and run in both durability modes that write to disk."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import time

import pytest
import sluice_e2e as e2e

SEGMENT_BYTES = 64 << 20  # the server's segment size: a shard rolls past it
SHARD0_KEY = "1"
SHARD1_KEY = str(2**127 + 1)


def put(kinesis, stream: str, hash_key: str, sizes: list, tag: str, errors: list | None = None) -> dict:
    """One PutRecords of records of the given sizes to the shard owning hash_key; returns
    {sequence number: data} of the acknowledged ones. The ErrorCodes of failed records go
    to `errors`; without it, a failed record fails the test."""
    records = [{"PartitionKey": "p", "ExplicitHashKey": hash_key,
                "Data": f"{tag}-{i}:".encode().ljust(size, b"x")} for i, size in enumerate(sizes)]
    res = kinesis.put_records(StreamName=stream, Records=records)
    failed = [r["ErrorCode"] for r in res["Records"] if "ErrorCode" in r]
    if errors is None:
        assert not failed, f"{tag}: {len(failed)} records failed: {failed[:3]}"
    else:
        errors += failed
    return {r["SequenceNumber"]: rec["Data"]
            for rec, r in zip(records, res["Records"]) if "SequenceNumber" in r}


def fill_to_just_below_a_roll(kinesis, stream: str, hash_key: str) -> dict:
    """Records of about 1 MB up to 400 KiB below the segment size (5 MB per call)."""
    acked = {}
    remaining = SEGMENT_BYTES - (400 << 10)
    call = 0
    while remaining > 0:
        sizes = []
        while remaining > 0 and len(sizes) < 5:
            sizes.append(min(1_000_000, remaining))
            remaining -= sizes[-1]
        acked.update(put(kinesis, stream, hash_key, sizes, f"fill{call}"))
        call += 1
    return acked


def assert_all_present_after_kill9(server, stream: str, acked: dict):
    """kill -9, restart, and every acknowledged record is read back as it was written."""
    server.kill9()
    server.restart()
    served = {}
    for records in e2e.read_stream(e2e.client(server.endpoint), stream, timeout=60).values():
        for r in records:
            served[r["SequenceNumber"]] = r["Data"]
    missing = [s for s in acked if s not in served]
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged records lost, e.g. {missing[:3]}"
    wrong = [s for s in acked if served[s] != acked[s]]
    assert not wrong, f"{len(wrong)} acknowledged records read back with other data"


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def busy_connection(port: int) -> socket.socket:
    """A connection that has begun a request (its request line is sent): not idle, so the server
    cannot close it to make room when it runs out of descriptors."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(b"POST / HTTP/1.1\r\n")
    return s


def finish_put_records(sock: socket.socket, stream: str, hash_key: str, sizes: list, tag: str) -> tuple:
    """Sends the rest of a busy_connection's request, a PutRecords like put()'s; returns the
    acknowledged {sequence number: data} and the ErrorCodes of the failed records."""
    data = [f"{tag}-{i}:".encode().ljust(size, b"x") for i, size in enumerate(sizes)]
    body = json.dumps({"StreamName": stream, "Records": [
        {"PartitionKey": "p", "ExplicitHashKey": hash_key, "Data": e2e.b64(d)} for d in data]}).encode()
    head = ("Host: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
            "X-Amz-Target: Kinesis_20131202.PutRecords\r\n"
            f"X-Amz-Date: {time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}\r\n"
            f"Authorization: {e2e.DUMMY_AUTH}\r\nContent-Length: {len(body)}\r\n\r\n")
    sock.sendall(head.encode() + body)
    status, _, answer = e2e.read_http_response(sock, 30)
    assert status == 200, (status, answer)
    records = json.loads(answer)["Records"]
    acked = {r["SequenceNumber"]: d for d, r in zip(data, records) if "SequenceNumber" in r}
    return acked, [r["ErrorCode"] for r in records if "ErrorCode" in r]


@pytest.mark.parametrize("durability", ["fsync", "os"])
def test_a_roll_failed_for_lack_of_descriptors_loses_nothing_acknowledged(spawn, durability):
    server = spawn("--durability", durability)
    kinesis = e2e.client(server.endpoint)
    stream = e2e.unique_name("exhaust")
    e2e.create_stream(kinesis, stream, shards=2)
    acked = fill_to_just_below_a_roll(kinesis, stream, SHARD0_KEY)
    acked.update(fill_to_just_below_a_roll(kinesis, stream, SHARD1_KEY))

    # The connection for the PutRecords that needs a roll, opened while descriptors are free.
    pid = server.proc.pid
    before = open_fds(pid)
    roller = busy_connection(server.port)
    e2e.wait_until(lambda: open_fds(pid) > before, 10, "the server to accept the connection")
    # The server may open only a few more descriptors: connections that have begun a request
    # take them all (none idle, so none can be closed to make room for them).
    saved = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    highest = max(int(fd) for fd in os.listdir(f"/proc/{pid}/fd"))
    limit = highest + 1 + 8
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (limit, saved[1]))
    busy = []
    try:
        def exhausted():
            if open_fds(pid) >= limit:
                return True
            busy.append(busy_connection(server.port))
            return False
        e2e.wait_until(exhausted, 10, "the server's descriptors to run out")

        # A record that needs a roll: the next segment cannot be created, and the record is
        # refused; the shard's active segment stays the old, writable one.
        rolled, errors = finish_put_records(roller, stream, SHARD0_KEY, [1_000_000], "rolls")
        assert (rolled, errors) == ({}, ["InternalFailure"])
    finally:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, saved)
        for s in busy + [roller]:
            s.close()

    # With descriptors back: the other shard rolls, and records that fit go to shard 0's old
    # segment (written through its own descriptor, not a stale one).
    acked.update(put(kinesis, stream, SHARD1_KEY, [1_000_000], "shard1-rolls"))
    acked.update(put(kinesis, stream, SHARD0_KEY, [1000] * 100, "after"))  # fits: no roll
    assert_all_present_after_kill9(server, stream, acked)
    assert "Too many open files" in server.log
    assert "cannot create segment" in server.log
    assert "data after zero padding" not in server.log


@pytest.fixture
def tiny_fs(tmp_path):
    """A 6 MiB tmpfs (unmounted afterwards) holding a 1 MiB ballast file to free later."""
    if os.geteuid() != 0:
        pytest.skip("not run: mounting a tmpfs needs root")
    mount = tmp_path / "tiny"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m,nr_inodes=200", "tmpfs", str(mount)],
                   check=True)
    try:
        (mount / "ballast").write_bytes(b"b" * (1 << 20))
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("durability", ["fsync", "os"])
def test_a_full_filesystem_fails_puts_with_a_logged_cause_and_loses_nothing(spawn, tiny_fs, durability):
    server = spawn("--durability", durability, data_dir=str(tiny_fs / "data"))
    kinesis = e2e.client(server.endpoint)
    stream = e2e.unique_name("full")
    e2e.create_stream(kinesis, stream, shards=1)

    acked = {}
    errors = []
    for call in range(40):
        acked.update(put(kinesis, stream, SHARD0_KEY, [200_000] * 2, f"c{call}", errors))
        if errors:
            break
    assert errors, "6 MiB held 16 MB of records"
    assert set(errors) == {"InternalFailure"}
    e2e.wait_until(lambda: "No space left on device" in server.log, 5, "ENOSPC in the log")

    (tiny_fs / "ballast").unlink()
    acked.update(put(kinesis, stream, SHARD0_KEY, [200_000] * 2, "after"))
    assert_all_present_after_kill9(server, stream, acked)
