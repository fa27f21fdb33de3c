"""What a consumer group promises, end to end: three `sluice tail --group G -f --format json` members
on a stream resharded while they read (UpdateShardCount up, then a merge), one of them killed and
coming back, and the server killed with -9.

Who read what is derived from the members' own output, stamped as the test reads it: every record
is a stdout line, and after every change of its assignment a member says on stderr which shards it
reads ("group G, member M, generation N: reading 2 shards: a b"). A member's tenure of a shard runs
from the line that gives it the shard to the line that takes it away (or its kill)."""

from __future__ import annotations

import base64
import json
import time

import sluice_e2e as e2e
from test_group_clients import checkpoints, group_call, members, tail_group  # noqa: F401

pytestmark = e2e.requires_sluice("consumer groups are a Sluice extension")

GROUP = "G"
KEYS = 16
SESSION_S = 2


def put_round(kinesis, stream: str, n: int) -> set:
    """Record `n` of every key ("<key>:<n>" under partition key "key-<key>"): rounds put one after
    the other are in order per key."""
    entries = [{"PartitionKey": f"key-{k}", "Data": f"{k}:{n}".encode()} for k in range(KEYS)]
    assert kinesis.put_records(StreamName=stream, Records=entries)["FailedRecordCount"] == 0
    return {f"{k}:{n}" for k in range(KEYS)}


def put_rounds(kinesis, stream: str, first: int, count: int) -> set:
    sent = set()
    for n in range(first, first + count):
        sent |= put_round(kinesis, stream, n)
    return sent


def prints(member) -> list:
    """(time, shard, sequence number, data) of every record the member printed, in print order."""
    out = []
    for t, pipe, line in member.events():
        if pipe == "out" and line.startswith("{"):
            r = json.loads(line)
            out.append((t, r["ShardId"], int(r["SequenceNumber"]), base64.b64decode(r["Data"]).decode()))
    return out


def assignments(member) -> list:
    """(time, member id, set of shard ids) of each assignment line, in order."""
    out = []
    for t, pipe, line in member.events():
        if pipe == "err" and ": reading " in line:
            member_id = line.split(", member ")[1].split(",")[0]
            listed = line.split(": reading ")[1]
            out.append((t, member_id, set(listed.split(": ", 1)[1].split()) if ": " in listed else set()))
    return out


def reading(member) -> set:
    said = assignments(member)
    return said[-1][2] if said else set()


def printed(*ms) -> set:
    return {data for m in ms for _, _, _, data in prints(m)}


def wait_printed(ms: list, sent: set, timeout: float, what: str):
    try:
        e2e.wait_until(lambda: printed(*ms) >= sent, timeout, what)
    except AssertionError as timed_out:
        missing = sorted(sent - printed(*ms))
        said = "\n".join(m.stderr() for m in ms)
        raise AssertionError(f"{timed_out}: {len(missing)} never printed, e.g. {missing[:5]}; the members said:\n{said}")


def tenures(member, end: float) -> list:
    """(shard, start, stop) of every tenure of the member, cut at `end`."""
    out, held = [], {}
    for t, _, shards in assignments(member) + [(end, None, set())]:
        for s in list(held):
            if s not in shards:
                out.append((s, held.pop(s), t))
        for s in shards - held.keys():
            held[s] = t
    return out


def assert_one_reader_per_shard(ms: list, ends: list):
    """Every record a member printed falls in one of its tenures of the record's shard, and the
    records printed in tenures of different members do not interleave: per shard, the first to the
    last print of one tenure holds no print of another member's tenure."""
    spans = {}  # (shard, member index, tenure start) -> [first print, last print]
    for i, (m, end) in enumerate(zip(ms, ends)):
        ts = tenures(m, end)
        for t, shard, _, data in prints(m):
            if t > end:
                continue
            tenure = [(start, stop) for s, start, stop in ts if s == shard and start <= t <= stop]
            assert tenure, f"member {i} printed {data} of {shard} at {t:.3f} outside its tenures {ts}"
            span = spans.setdefault((shard, i, tenure[0][0]), [t, t])
            span[1] = t
    by_shard = {}
    for (shard, i, _), span in spans.items():
        by_shard.setdefault(shard, []).append((span[0], span[1], i))
    for shard, runs in by_shard.items():
        runs.sort()
        for (_, last, a), (first, _, b) in zip(runs, runs[1:]):
            assert a == b or first >= last, f"members {a} and {b} read {shard} at the same time: {runs}"


def assert_in_order_per_key(ms: list, sent: set):
    """Every record was printed, and per key the rounds were first printed in order."""
    everything = sorted((t, data) for m in ms for t, _, _, data in prints(m))
    assert {data for _, data in everything} == sent, "a record was never printed"
    seen = {}
    for _, data in everything:
        key, n = (int(x) for x in data.split(":"))
        if n > seen.get(key, -1):
            assert n == seen.get(key, -1) + 1, f"key {key}: round {n} printed before round {seen.get(key, -1) + 1}"
            seen[key] = n


def open_shards(kinesis, stream: str) -> set:
    return {s["ShardId"] for s in e2e.list_shards(kinesis, stream) if e2e.is_open(s)}


def covered(ms: list, shards: set) -> bool:
    held = [reading(m) for m in ms]
    return set().union(*held) == shards and sum(len(h) for h in held) == len(shards)


def wait_checkpointed(endpoint: str, kinesis, stream: str):
    """Waits until the group's checkpoint of every open shard is its newest record (a closed shard
    is given up only after its ShardEnd checkpoint, which must name its last record)."""
    want = {}
    for shard in open_shards(kinesis, stream):
        records = e2e.read_shard(kinesis, stream, shard)
        if records:
            want[shard] = records[-1]["SequenceNumber"]
    e2e.wait_until(lambda: {s: c for s, c in checkpoints(endpoint, stream, GROUP).items() if s in want} == want, 15,
                   "the group's checkpoints at the end of every open shard")


def test_three_members_on_a_resharded_stream_through_a_member_kill_and_a_server_kill(spawn, members):
    server = spawn(env={"SLUICE_PORT": str(e2e.free_port())})  # the same port after the restart
    url = server.endpoint
    kinesis = e2e.client(url)
    stream = e2e.unique_name("groups")
    e2e.create_stream(kinesis, stream, 2)
    ms = [members(tail_group(url, stream, GROUP, str(SESSION_S))) for _ in range(3)]
    e2e.wait_until(lambda: covered(ms, open_shards(kinesis, stream)), 15, "the three members to share the shards")

    # Resharded while they read: 2 -> 4 shards, then two neighbours merged.
    sent = put_rounds(kinesis, stream, 0, 3)
    kinesis.update_shard_count(StreamName=stream, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    e2e.wait_active(kinesis, stream)
    sent |= put_rounds(kinesis, stream, 3, 3)
    neighbours = sorted((s for s in e2e.list_shards(kinesis, stream) if e2e.is_open(s)), key=e2e.hash_range)[:2]
    kinesis.merge_shards(StreamName=stream, ShardToMerge=neighbours[0]["ShardId"],
                         AdjacentShardToMerge=neighbours[1]["ShardId"])
    e2e.wait_active(kinesis, stream)
    sent |= put_rounds(kinesis, stream, 6, 3)
    wait_printed(ms, sent, 20, "every record printed across the reshards")
    three_open = open_shards(kinesis, stream)
    assert len(three_open) == 3
    e2e.wait_until(lambda: covered(ms, three_open), 10, "the members to read the 3 open shards")

    # A member killed: its shards move to the others within the session timeout.
    killed_id = assignments(ms[0])[-1][1]
    ms[0].kill9()
    killed_at = time.monotonic()
    e2e.wait_until(lambda: covered(ms[1:], three_open), SESSION_S + 5, "the survivors to take the killed one's shards")
    moved_after = time.monotonic() - killed_at
    assert moved_after < SESSION_S + 2, f"the shards moved {moved_after:.1f}s after the kill"
    sent |= put_rounds(kinesis, stream, 9, 2)
    wait_printed(ms, sent, 15, "the survivors to print the new records")
    ends = [killed_at, time.monotonic(), time.monotonic()]
    assert_one_reader_per_shard(ms, ends)
    assert_in_order_per_key(ms, sent)

    # It comes back (same member id): it prints nothing at or before the group's checkpoints.
    wait_checkpointed(url, kinesis, stream)
    back = members(tail_group(url, stream, GROUP, str(SESSION_S)) + ["--member-id", killed_id])
    everyone = ms + [back]
    ms = [back, ms[1], ms[2]]
    e2e.wait_until(lambda: covered(ms, three_open) and reading(back), 15, "the three members to share again")
    fresh = put_rounds(kinesis, stream, 11, 2)
    sent |= fresh
    wait_printed(everyone, sent, 15, "the new records printed")
    assert printed(back) <= fresh, "the member that came back replayed checkpointed records"

    # The server killed with -9: the group and its checkpoints survive, the members rejoin.
    wait_checkpointed(url, kinesis, stream)
    before = checkpoints(url, stream, GROUP)
    server.kill9()
    server.restart()
    assert server.endpoint == url
    assert checkpoints(url, stream, GROUP) == before
    # The restarted server knows no member: each is told UnknownMemberException and joins again.
    def rejoined() -> bool:
        group = group_call(url, "DescribeGroup", {"StreamName": stream, "GroupName": GROUP})["Group"]
        return len(group["Members"]) == 3 and covered(ms, three_open)
    e2e.wait_until(rejoined, 15, "the members to rejoin after the restart")
    after = put_rounds(kinesis, stream, 13, 2)
    sent |= after
    wait_printed(ms, after, 15, "the records put after the restart printed")
    assert_in_order_per_key(everyone, sent)
