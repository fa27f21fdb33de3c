"""Consumer-group members end to end: `sluice tail --group` processes and the examples in
examples/consumer-groups/ (Node.js and Python) against a real server.

`tail --group G -f --format json` prints one JSON object per record and checkpoints each batch up to
the last record printed; it says on stderr which shards it reads after every change
("group G, member M, generation N: reading 2 shards: ..."). The examples print one JSON line per
record with the data as text."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import threading
import time

import pytest

import sluice_e2e as e2e

pytestmark = e2e.requires_sluice("consumer groups are a Sluice extension")

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXAMPLES = os.path.join(REPO, "examples", "consumer-groups")
GROUPS_TARGET = "Sluice_20261207"


class Member:
    """A member process whose stdout lines (records, JSON) and stderr are collected as they come."""

    def __init__(self, cmd: list, env: dict | None = None):
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     env={**os.environ, **(env or {})})
        self.lines: list = []
        self.err: list = []
        self.timeline: list = []  # (time.monotonic() when read, "out" or "err", line), both pipes in one order
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines), daemon=True),
                         threading.Thread(target=self._pump, args=(self.proc.stderr, self.err), daemon=True)]
        for t in self._threads:
            t.start()

    def _pump(self, pipe, into: list):
        for raw in pipe:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lock:
                into.append(line)
                self.timeline.append((time.monotonic(), "out" if into is self.lines else "err", line))

    def events(self) -> list:
        with self._lock:
            return list(self.timeline)

    def records(self) -> list:
        with self._lock:
            return [json.loads(line) for line in self.lines if line.startswith("{")]

    def stderr(self) -> str:
        with self._lock:
            return "\n".join(self.err)

    def shards_read(self) -> int | None:
        """How many shards the last `tail --group` assignment line said it reads."""
        for line in reversed(self.stderr().splitlines()):
            if ": reading " in line:
                return int(line.split(": reading ")[1].split()[0])
        return None

    def interrupt(self, timeout: float = 20.0) -> int:
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=timeout)
        for t in self._threads:
            t.join(timeout=5)
        return code

    def kill9(self):
        self.proc.kill()
        self.proc.wait(timeout=10)

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def members():
    started = []

    def start(cmd: list, env: dict | None = None) -> Member:
        m = Member(cmd, env)
        started.append(m)
        return m

    yield start
    for m in started:
        m.cleanup()


def tail_group(endpoint: str, stream: str, group: str, session_timeout: str = "3") -> list:
    """`sluice tail --group -f`; a short session timeout (heartbeats every second) makes rebalances quick."""
    return [e2e.SLUICE_BIN, "tail", stream, "--group", group, "-f", "--format", "json", "--poll-interval", "0.1",
            "--session-timeout", session_timeout, "--endpoint", endpoint]


def put(kinesis, stream: str, first: int, count: int) -> set:
    """Puts records `first`..`first+count-1` ("record-<n>", keys spread over the hash space)."""
    entries = [{"PartitionKey": f"key-{n}", "Data": f"record-{n}".encode()} for n in range(first, first + count)]
    for i in range(0, len(entries), 500):
        out = kinesis.put_records(StreamName=stream, Records=entries[i:i + 500])
        assert out["FailedRecordCount"] == 0
    return {f"record-{n}" for n in range(first, first + count)}


def tail_data(member: Member) -> list:
    return [base64.b64decode(r["Data"]).decode() for r in member.records()]


def group_call(endpoint: str, operation: str, body: dict) -> dict:
    res = e2e.raw_call(endpoint, operation, body, extra_headers={"X-Amz-Target": f"{GROUPS_TARGET}.{operation}"})
    assert res.status == 200, (operation, res.status, res.body)
    return res.json


def checkpoints(endpoint: str, stream: str, group: str) -> dict:
    got = group_call(endpoint, "GetGroupCheckpoints", {"StreamName": stream, "GroupName": group})
    return {c["ShardId"]: c.get("SequenceNumber") for c in got["Checkpoints"]}


def last_sequence_per_shard(kinesis, stream: str) -> dict:
    return {sid: records[-1]["SequenceNumber"]
            for sid, records in e2e.read_stream(kinesis, stream).items() if records}


def test_two_group_tails_split_a_four_shard_stream_and_print_each_record_once(endpoint, kinesis, new_stream, members):
    stream = new_stream(4)
    a = members(tail_group(endpoint.url, stream, "split"))
    b = members(tail_group(endpoint.url, stream, "split"))
    e2e.wait_until(lambda: a.shards_read() == 2 and b.shards_read() == 2, 30,
                   f"the two tails to read 2 shards each; a: {a.stderr()!r} b: {b.stderr()!r}")
    sent = put(kinesis, stream, 0, 400)
    e2e.wait_until(lambda: len(tail_data(a)) + len(tail_data(b)) >= len(sent), 30, "every record to be printed")
    printed = tail_data(a) + tail_data(b)
    assert sorted(printed) == sorted(sent), "a record was printed twice or not at all"
    shards_a = {r["ShardId"] for r in a.records()}
    shards_b = {r["ShardId"] for r in b.records()}
    assert shards_a and shards_b and not shards_a & shards_b, (shards_a, shards_b)
    assert a.interrupt() == 0 and b.interrupt() == 0
    # Each batch was checkpointed once printed: the group is at the end of every shard.
    assert checkpoints(endpoint.url, stream, "split") == last_sequence_per_shard(kinesis, stream)


def test_when_a_group_tail_is_killed_the_other_carries_on_with_every_shard(endpoint, kinesis, new_stream, members):
    stream = new_stream(4)
    a = members(tail_group(endpoint.url, stream, "failover", session_timeout="2"))
    b = members(tail_group(endpoint.url, stream, "failover", session_timeout="2"))
    e2e.wait_until(lambda: a.shards_read() == 2 and b.shards_read() == 2, 30, "the two tails to read 2 shards each")
    a.kill9()
    e2e.wait_until(lambda: b.shards_read() == 4, 15, f"the survivor to read all 4 shards; its stderr: {b.stderr()!r}")
    sent = put(kinesis, stream, 0, 200)
    e2e.wait_until(lambda: set(tail_data(b)) >= sent, 30, "the survivor to print every record")
    assert sorted(tail_data(b)) == sorted(sent)
    assert {r["ShardId"] for r in b.records()} == {s["ShardId"] for s in e2e.list_shards(kinesis, stream)}


def test_a_group_tail_started_later_resumes_after_the_checkpoints(endpoint, kinesis, new_stream, members):
    stream = new_stream(4)
    a = members(tail_group(endpoint.url, stream, "resume"))
    b = members(tail_group(endpoint.url, stream, "resume"))
    e2e.wait_until(lambda: a.shards_read() == 2 and b.shards_read() == 2, 30, "the two tails to read 2 shards each")
    before = put(kinesis, stream, 0, 200)
    e2e.wait_until(lambda: len(tail_data(a)) + len(tail_data(b)) >= len(before), 30, "the first records printed")
    assert a.interrupt() == 0 and b.interrupt() == 0  # they leave the group, checkpointed
    after = put(kinesis, stream, 200, 100)
    c = members(tail_group(endpoint.url, stream, "resume"))
    e2e.wait_until(lambda: set(tail_data(c)) >= after, 30, f"the third tail to print the new records; {c.stderr()!r}")
    assert c.shards_read() == 4
    assert sorted(tail_data(c)) == sorted(after), "the third tail printed records already checkpointed"


def read_through_example(endpoint: str, kinesis, stream: str, members, cmd: list):
    """Runs an example member over a 2-shard stream: it prints every record, then leaves on SIGINT
    with the group checkpointed at the end of each shard."""
    sent = put(kinesis, stream, 0, 50)
    m = members(cmd, {"SLUICE_ENDPOINT": endpoint})
    e2e.wait_until(lambda: {r["Data"] for r in m.records()} >= sent, 30,
                   f"the example to print every record; its stderr: {m.stderr()!r}")
    assert sorted(r["Data"] for r in m.records()) == sorted(sent)
    want = last_sequence_per_shard(kinesis, stream)
    e2e.wait_until(lambda: checkpoints(endpoint, stream, "example") == want, 10, "the example's checkpoints")
    assert m.interrupt() == 0, m.stderr()
    assert "left example" in m.stderr()
    described = group_call(endpoint, "DescribeGroup", {"StreamName": stream, "GroupName": "example"})
    assert described["Group"]["Members"] == []


def test_the_python_example_reads_a_streams_records_through_a_group(endpoint, kinesis, new_stream, members):
    stream = new_stream(2)
    venv_python = os.path.join(REPO, "tests", "e2e", ".venv", "bin", "python")
    python = venv_python if os.path.exists(venv_python) else "python3"
    read_through_example(endpoint.url, kinesis, stream, members,
                         [python, os.path.join(EXAMPLES, "python", "member.py"), stream, "example"])


def test_the_node_example_reads_a_streams_records_through_a_group(endpoint, kinesis, new_stream, members):
    assert os.path.isdir(os.path.join(EXAMPLES, "node", "node_modules")), "run scripts/bootstrap"
    stream = new_stream(2)
    read_through_example(endpoint.url, kinesis, stream, members,
                         ["node", os.path.join(EXAMPLES, "node", "member.mjs"), stream, "example"])


@pytest.mark.parametrize("flag", [["--shard", "0"], ["--at", "-5m"]])
def test_a_group_tail_refuses_flags_that_choose_shards_or_positions(endpoint, new_stream, flag):
    stream = new_stream(1)
    res = subprocess.run([*tail_group(endpoint.url, stream, "refused"), *flag], capture_output=True, timeout=30)
    assert res.returncode == 2, res
    assert f"{flag[0]} cannot be used with --group" in res.stderr.decode()


def test_two_pushed_group_tails_split_a_stream_and_one_carries_on_when_the_other_is_killed(
        endpoint, kinesis, new_stream, members):
    stream = new_stream(4)
    a = members(tail_group(endpoint.url, stream, "pushed", session_timeout="2") + ["--push"])
    b = members(tail_group(endpoint.url, stream, "pushed", session_timeout="2") + ["--push"])
    e2e.wait_until(lambda: a.shards_read() == 2 and b.shards_read() == 2, 30,
                   f"the two pushed tails to read 2 shards each; a: {a.stderr()!r} b: {b.stderr()!r}")
    described = group_call(endpoint.url, "DescribeGroup", {"StreamName": stream, "GroupName": "pushed"})
    assert all(m["Pushed"] for m in described["Group"]["Members"]), described
    sent = put(kinesis, stream, 0, 400)
    e2e.wait_until(lambda: len(tail_data(a)) + len(tail_data(b)) >= len(sent), 30, "every record to be printed")
    assert sorted(tail_data(a) + tail_data(b)) == sorted(sent), "a record was printed twice or not at all"
    shards_a = {r["ShardId"] for r in a.records()}
    shards_b = {r["ShardId"] for r in b.records()}
    assert shards_a and shards_b and not shards_a & shards_b, (shards_a, shards_b)
    e2e.wait_until(lambda: checkpoints(endpoint.url, stream, "pushed") == last_sequence_per_shard(kinesis, stream),
                   10, "each printed batch to be checkpointed")
    a.kill9()
    more = put(kinesis, stream, 400, 200)
    e2e.wait_until(lambda: set(tail_data(b)) >= more, 30, f"the survivor to print every new record; {b.stderr()!r}")
    assert b.shards_read() == 4
    assert not set(tail_data(b)) & set(tail_data(a)), "a record of a checkpointed batch printed again"
    assert b.interrupt() == 0
