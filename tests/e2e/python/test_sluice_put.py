"""`sluice put` on hard input and a server that goes away: it streams stdin with bounded memory,
refuses a line that cannot be a record by its number, and when the server dies gives up after its
retries with a non-zero exit, saying what was written — and what it says was written is there."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

import sluice_e2e as e2e
from test_sluice_cli import clean_env, created, sluice  # noqa: F401 (sluice: the fixture that runs it)

pytestmark = e2e.requires_sluice("these test the sluice binary's put command")

MIB = 1024 * 1024


def put_process(endpoint: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([e2e.SLUICE_BIN, "put", *args, "--endpoint", endpoint], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env())


def vm_hwm_kib(pid: int) -> int:
    """The process's peak resident set so far (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
    except FileNotFoundError:
        return 0
    return int(m.group(1)) if m else 0


def stream_lines(kinesis, name: str) -> list:
    return [r["Data"].decode() for rs in e2e.read_stream(kinesis, name).values() for r in rs]


def test_put_gives_up_when_the_server_dies_and_what_it_says_it_wrote_is_there(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    name = e2e.unique_name("put-dies")
    e2e.create_stream(kinesis, name, shards=2)
    proc = put_process(server.endpoint, name)
    try:
        proc.stdin.write("".join(f"line {i}\n" for i in range(1, 2001)).encode())
        proc.stdin.flush()
        e2e.wait_until(lambda: len(stream_lines(kinesis, name)) == 2000, 30, "the first 2000 lines in the stream")
        server.kill9()
        killed = time.monotonic()
        out, err = proc.communicate(input="".join(f"line {i}\n" for i in range(2001, 4001)).encode(), timeout=60)
        took = time.monotonic() - killed
    finally:
        if proc.poll() is None:
            proc.kill()
    err = err.decode()
    assert proc.returncode == 3, err
    assert took < 45, f"put took {took:.1f}s to give up"
    m = re.search(rf"sluice put: the server at {re.escape(server.endpoint)} stopped answering \(ConnectionError: "
                  r"[^\n]*\); (\d+) records were written, the first unwritten is line (\d+)", err)
    assert m, err
    written, first_unwritten = int(m.group(1)), int(m.group(2))
    assert written >= 2000 and first_unwritten > 2000, err
    assert re.fullmatch(rf"put {written} records to {name}, [1-9]\d* failed\n", out.decode()), out

    server.restart()
    there = set(stream_lines(e2e.client(server.endpoint), name))
    assert {f"line {i}" for i in range(1, first_unwritten)} <= there
    assert len(there) >= written


def test_put_streams_a_big_input_with_bounded_memory(sluice, endpoint, kinesis, tmp_path):
    name = created(sluice, 4)
    lines = 300_000
    big = tmp_path / "big.txt"
    with open(big, "w") as f:
        for i in range(lines):
            f.write(f"{i:08d} {'x' * 290}\n")  # 300 bytes a line, 90 MB in all
    with open(big, "rb") as stdin, open(tmp_path / "out", "wb") as stdout, open(tmp_path / "err", "wb") as stderr:
        proc = subprocess.Popen([e2e.SLUICE_BIN, "put", name, "--endpoint", endpoint.url], stdin=stdin,
                                stdout=stdout, stderr=stderr, env=clean_env())
        peak_kib = 0
        deadline = time.monotonic() + 120
        while proc.poll() is None:  # VmHWM only grows: its last reading is the peak, near enough
            assert time.monotonic() < deadline, "put did not finish in 120 s"
            peak_kib = max(peak_kib, vm_hwm_kib(proc.pid))
            time.sleep(0.01)
    err = (tmp_path / "err").read_text()
    assert proc.returncode == 0, err
    assert (tmp_path / "out").read_text() == f"put {lines} records to {name}\n"
    assert 0 < peak_kib < 48 * 1024, f"sluice put peaked at {peak_kib // 1024} MiB for a 90 MB input"
    counts = e2e.read_stream(kinesis, name)
    assert sum(len(rs) for rs in counts.values()) == lines


def test_an_oversize_line_is_refused_by_its_number_after_the_lines_before_it(sluice, kinesis):
    name = created(sluice, 1)
    res = sluice("put", name, "--key", "k", stdin=b"a\nb\n" + b"x" * (MIB + 1) + b"\nd\n")
    assert res.returncode == 2, res.err
    assert res.err == ("sluice put: line 3: longer than a record may be (1048576 bytes of data and partition key); "
                       "2 records were written, the first unwritten is line 3, the rest of the input was not read\n")
    assert res.out == f"put 2 records to {name}\n"
    assert stream_lines(kinesis, name) == ["a", "b"]

    # Within a MiB, but not with its partition key.
    res = sluice("put", name, "--key", "key", stdin=b"c\n" + b"y" * (MIB - 1) + b"\n")
    assert res.returncode == 2, res.err
    assert res.err.startswith("sluice put: line 2: 1048575 bytes of data and a 3-byte partition key, more than a "
                              "record's 1048576 bytes; 1 record was written, the first unwritten is line 2"), res.err
    assert stream_lines(kinesis, name) == ["a", "b", "c"]


def test_a_record_the_server_refuses_stops_the_put_at_its_line(sluice):
    missing = e2e.unique_name("missing")
    res = sluice("put", missing, stdin="a\nb\n")
    assert res.returncode == 1
    assert re.fullmatch(rf"sluice put: line 1: ResourceNotFoundException: Stream {missing} under account \d+ not "
                        r"found\.; 0 records were written, the first unwritten is line 1\n", res.err), res.err
