"""The `sluice` client sub-commands (stream, put, get, tail) against a running server, checked
through their output and cross-checked with boto3."""

from __future__ import annotations

import base64
import json
import os
import re
import select
import signal
import subprocess
import time

import pytest

import sluice_e2e as e2e

pytestmark = e2e.requires_sluice("these test the sluice binary's own client commands")

RUN_TIMEOUT_S = 60.0


@pytest.fixture
def sluice(endpoint):
    """Runs `sluice <args>` against the shared server; returns the finished process."""
    if not e2e.SLUICE_BIN or not os.path.isfile(e2e.SLUICE_BIN):
        pytest.skip("not run: needs the sluice binary (SLUICE_BIN)")

    def run(*args: str, stdin: str | bytes | None = None, env: dict | None = None, endpoint_flag: bool = True,
            timeout: float = RUN_TIMEOUT_S) -> subprocess.CompletedProcess:
        cmd = [e2e.SLUICE_BIN, *args]
        if endpoint_flag:
            cmd += ["--endpoint", endpoint.url]
        data = stdin.encode() if isinstance(stdin, str) else stdin
        res = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout, env=clean_env(env),
                             stdin=None if data is not None else subprocess.DEVNULL)
        res.out = res.stdout.decode("utf-8", "replace")
        res.err = res.stderr.decode("utf-8", "replace")
        for bad in ("Traceback", "terminate called", "what():", "Segmentation"):
            assert bad not in res.err, res.err
        return res

    return run


def clean_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k != "SLUICE_ENDPOINT"}
    env.update(extra or {})
    return env


def popen(endpoint, *args: str) -> subprocess.Popen:
    return subprocess.Popen([e2e.SLUICE_BIN, *args, "--endpoint", endpoint.url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=clean_env())


def finish(proc: subprocess.Popen, timeout: float = RUN_TIMEOUT_S):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"sluice did not finish in {timeout}s: {err.decode()}")
    return proc.returncode, out.decode(), err.decode()


def read_until(stream, text: bytes, timeout: float) -> bytes:
    """Reads a process's pipe until `text` has come, failing after `timeout` seconds."""
    got = b""
    deadline = time.monotonic() + timeout
    while text not in got:
        left = deadline - time.monotonic()
        assert left > 0, f"never saw {text!r}; got {got!r}"
        if select.select([stream], [], [], left)[0]:
            chunk = os.read(stream.fileno(), 4096)
            assert chunk, f"the pipe ended before {text!r}; got {got!r}"
            got += chunk
    return got


def ok(res) -> subprocess.CompletedProcess:
    assert res.returncode == 0, f"exit {res.returncode}\nstdout: {res.out}\nstderr: {res.err}"
    return res


def created(sluice, shards: int = 1) -> str:
    name = e2e.unique_name("cli")
    ok(sluice("stream", "create", name, "--shards", str(shards)))
    return name


def json_lines(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------
# stream


def test_stream_create_list_describe_delete(sluice, kinesis, account):
    name = e2e.unique_name("cli")
    res = ok(sluice("stream", "create", name, "--shards", "2"))
    assert res.out == f"created stream {name}; {name} is ACTIVE with 2 open shards\n"
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"] == 2

    res = sluice("stream", "create", name)
    assert res.returncode == 1
    assert res.err == (f"sluice: ResourceInUseException: Stream {name} under account {account} "
                       f"already exists.\n")

    assert name in ok(sluice("stream", "list")).out.splitlines()
    assert name in json.loads(ok(sluice("stream", "list", "--json")).out)["StreamNames"]

    human = ok(sluice("stream", "describe", name)).out
    assert f"Stream     {name}\n" in human
    assert "Status     ACTIVE\n" in human
    assert "Retention  24 hours\n" in human
    assert "Shards     2 open, 0 closed\n" in human
    assert re.search(r"^SHARD\s+STATE\s+PARENTS\s+STARTING HASH KEY\s+ENDING HASH KEY$", human, re.M)
    assert re.search(r"^shardId-000000000000\s+OPEN\s+-\s+0\s+170141183460469231731687303715884105727$",
                     human, re.M)

    desc = json.loads(ok(sluice("stream", "describe", name, "--json")).out)
    assert desc["StreamName"] == name
    assert desc["StreamARN"] == f"arn:aws:kinesis:us-east-1:{account}:stream/{name}"
    assert desc["OpenShardCount"] == 2
    assert [s["ShardId"] for s in desc["Shards"]] == [s["ShardId"] for s in e2e.all_shards(kinesis, name)]
    assert all(s["State"] == "OPEN" for s in desc["Shards"])

    res = ok(sluice("stream", "delete", name))
    assert res.out == f"deleting stream {name}\n"
    e2e.wait_gone(kinesis, name)
    assert name not in ok(sluice("stream", "list")).out.splitlines()


def test_stream_on_demand_and_retention(sluice, kinesis):
    name = e2e.unique_name("cli")
    out = json.loads(ok(sluice("stream", "create", name, "--on-demand", "--json")).out)
    assert out["StreamStatus"] == "ACTIVE"
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"]["StreamMode"] == "ON_DEMAND"

    res = ok(sluice("stream", "retention", name, "72"))
    assert res.out.startswith(f"retention of {name} is 72 hours")
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"] == 72
    ok(sluice("stream", "retention", name, "48"))
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"] == 48
    res = sluice("stream", "retention", name, "10")
    assert res.returncode == 1
    assert res.err.startswith("sluice: InvalidArgumentException: ")
    kinesis.delete_stream(StreamName=name)


def test_stream_split_merge_scale(sluice, kinesis):
    name = created(sluice, 1)
    res = ok(sluice("stream", "split", name, "0"))
    assert res.out == (f"split shardId-000000000000 at 170141183460469231731687303715884105728; "
                       f"{name} is ACTIVE with 2 open shards\n")
    shards = e2e.all_shards(kinesis, name)
    children = [s for s in shards if s.get("ParentShardId") == "shardId-000000000000"]
    assert [c["HashKeyRange"]["StartingHashKey"] for c in children] == \
        ["0", "170141183460469231731687303715884105728"]

    res = ok(sluice("stream", "merge", name, children[0]["ShardId"], children[1]["ShardId"]))
    assert res.out.endswith(f"{name} is ACTIVE with 1 open shard\n")
    open_shards = [s for s in e2e.all_shards(kinesis, name) if e2e.is_open(s)]
    assert len(open_shards) == 1
    assert open_shards[0]["AdjacentParentShardId"] == children[1]["ShardId"]

    desc = json.loads(ok(sluice("stream", "scale", name, "2", "--json")).out)
    assert desc["OpenShardCount"] == 2
    e2e.assert_open_coverage(e2e.all_shards(kinesis, name))

    human = ok(sluice("stream", "describe", name)).out
    assert "Shards     2 open, 4 closed\n" in human
    assert re.search(rf"^{children[0]['ShardId']}\s+CLOSED\s+shardId-000000000000\s", human, re.M)

    res = sluice("stream", "split", name, "shardId-000000000000")
    assert res.returncode == 1
    assert res.err.startswith("sluice: ")
    kinesis.delete_stream(StreamName=name)


def test_errors_and_exit_codes(sluice, account):
    missing = e2e.unique_name("missing")
    res = sluice("stream", "describe", missing)
    assert res.returncode == 1
    assert res.out == ""
    assert res.err == f"sluice: ResourceNotFoundException: Stream {missing} under account {account} not found.\n"

    res = sluice("get", missing)
    assert res.returncode == 1
    assert "ResourceNotFoundException" in res.err

    res = sluice("stream", "list", "--endpoint", "http://127.0.0.1:1", endpoint_flag=False)
    assert res.returncode == 3
    assert res.err.startswith("sluice: ConnectionError: cannot connect to 127.0.0.1:1")

    res = sluice("stream", "list", "--no-such-flag")
    assert res.returncode == 2
    res = sluice("get", "x", "--from", "yesterday")
    assert res.returncode == 2
    res = sluice("get", "x", "--at", "not-a-time")
    assert res.returncode == 2
    assert "--at: not a time: not-a-time" in res.err
    res = sluice("stream", "create", "x", "--shards", "0")
    assert res.returncode == 2
    assert res.err.startswith("--shards: must be at least 1 (the service's minimum), not 0\n"), res.err
    res = sluice("stream", "create", "x", "--on-demand", "--shards", "3")
    assert res.returncode == 2
    assert res.err == ("sluice: --on-demand and --shards exclude each other: an ON_DEMAND stream has no shard "
                       "count\n")
    res = sluice("stream", "scale", "x", "-2")
    assert res.returncode == 2
    assert "must be at least 1, not -2" in res.err


def test_a_mistyped_command_gets_the_one_meant(sluice):
    res = sluice("stream", "craete", "x")
    assert (res.returncode, res.out) == (2, "")
    assert res.err == "sluice: unknown command 'craete'; did you mean 'create'?\n"
    res = sluice("strem", "list")
    assert (res.returncode, res.err) == (2, "sluice: unknown command 'strem'; did you mean 'stream'?\n")
    res = sluice("stream", "banana")
    assert res.returncode == 2
    assert res.err.startswith("sluice: unknown command 'banana' (the commands here: create, list, describe, "), \
        res.err


def test_bench_reads_the_endpoint_from_the_environment(sluice, endpoint):
    """Pointed by $SLUICE_ENDPOINT (or $AWS_ENDPOINT_URL) at a server, bench runs against it; at a
    closed port it fails to connect there, which shows where it went."""
    args = ("bench", "--workloads", "put-records", "--duration", "0.2", "--shards", "1")
    for var in ("SLUICE_ENDPOINT", "AWS_ENDPOINT_URL"):
        res = sluice(*args, env={var: endpoint.url}, endpoint_flag=False)
        assert res.returncode == 0, res.err
        assert f"endpoint {endpoint.url}" in res.out, res.out
    res = sluice(*args, env={"SLUICE_ENDPOINT": "http://127.0.0.1:1"}, endpoint_flag=False)
    assert res.returncode != 0
    assert "127.0.0.1:1" in res.out + res.err


def test_endpoint_from_the_environment(sluice, endpoint):
    name = created(sluice)
    for var in ("SLUICE_ENDPOINT", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS"):
        res = ok(sluice("stream", "list", env={var: endpoint.url}, endpoint_flag=False))
        assert name in res.out.splitlines(), var
    # SLUICE_ENDPOINT wins over AWS_ENDPOINT_URL; --endpoint wins over both.
    res = ok(sluice("stream", "list", env={"SLUICE_ENDPOINT": endpoint.url,
                                           "AWS_ENDPOINT_URL": "http://127.0.0.1:1"}, endpoint_flag=False))
    assert name in res.out.splitlines()
    res = sluice("stream", "list", env={"SLUICE_ENDPOINT": "http://127.0.0.1:1"}, endpoint_flag=False)
    assert res.returncode == 3
    res = ok(sluice("stream", "list", env={"SLUICE_ENDPOINT": "http://127.0.0.1:1"}))
    assert name in res.out.splitlines()


# ---------------------------------------------------------------------------------------------
# put and get


def test_put_lines_then_get_them_all(sluice, kinesis):
    name = created(sluice, 3)
    lines = [f"line {i} {'x' * (i % 50)}" for i in range(2000)]
    res = ok(sluice("put", name, stdin="\n".join(lines) + "\n"))
    assert res.out == f"put 2000 records to {name}\n"

    records = e2e.read_stream(kinesis, name)
    got = sorted(r["Data"].decode() for rs in records.values() for r in rs)
    assert got == sorted(lines)
    assert len({r["PartitionKey"] for rs in records.values() for r in rs}) > 1900  # random keys

    res = ok(sluice("get", name))
    assert sorted(res.out.splitlines()) == sorted(lines)

    as_json = json_lines(ok(sluice("get", name, "--format", "json")).out)
    assert len(as_json) == 2000
    assert json_lines(ok(sluice("get", name, "--json")).out) == as_json
    by_shard: dict = {}
    for r in as_json:
        assert set(r) == {"ShardId", "SequenceNumber", "PartitionKey", "ApproximateArrivalTimestamp", "Data"}
        by_shard.setdefault(r["ShardId"], []).append(r)
    assert len(by_shard) == 3
    for shard_id, rs in by_shard.items():
        assert [r["SequenceNumber"] for r in rs] == [r["SequenceNumber"] for r in records[shard_id]]
        assert [base64.b64decode(r["Data"]) for r in rs] == [r["Data"] for r in records[shard_id]]


def test_put_with_a_key_field_keeps_each_keys_order(sluice, kinesis):
    name = created(sluice, 4)
    lines = [json.dumps({"user": f"user-{i % 5}", "n": i}) for i in range(500)]
    summary = json.loads(ok(sluice("put", name, "--key-field", "user", "--json", stdin="\n".join(lines))).out)
    assert summary["Records"] == 500
    assert summary["FailedRecordCount"] == 0
    assert sum(summary["Shards"].values()) == 500

    got = json_lines(ok(sluice("get", name, "--format", "json")).out)
    assert len(got) == 500
    shards = {s["ShardId"]: s for s in e2e.all_shards(kinesis, name)}
    per_user: dict = {}
    for r in got:
        body = json.loads(base64.b64decode(r["Data"]))
        assert r["PartitionKey"] == body["user"]
        lo, hi = e2e.hash_range(shards[r["ShardId"]])
        assert lo <= e2e.partition_hash(r["PartitionKey"]) <= hi
        per_user.setdefault(body["user"], []).append(body["n"])
    assert sorted(per_user) == [f"user-{u}" for u in range(5)]
    for user, ns in per_user.items():
        assert ns == sorted(ns) and len(ns) == 100, user


def test_put_with_a_fixed_key_and_bad_json_lines(sluice, kinesis):
    name = created(sluice, 2)
    ok(sluice("put", name, "--key", "same", stdin="a\nb\nc\n"))
    got = json_lines(ok(sluice("get", name, "--format", "json")).out)
    assert [(r["PartitionKey"], base64.b64decode(r["Data"])) for r in got] == \
        [("same", b"a"), ("same", b"b"), ("same", b"c")]

    res = sluice("put", name, "--key-field", "user", stdin='{"user":"u"}\nnot json\n{"user":"v"}\n')
    assert res.returncode == 2
    assert 'line 2: not a JSON object with a non-empty "user"' in res.err
    assert res.out == f"put 1 record to {name}\n"


def test_put_reports_progress_for_large_inputs(sluice, kinesis):
    name = created(sluice, 2)
    lines = "".join(f"{i}\n" for i in range(100000))
    res = ok(sluice("put", name, "--progress-interval", "0.01", stdin=lines))
    assert res.out == f"put 100000 records to {name}\n"
    progress = re.findall(r"(\d+) records read, (\d+) acknowledged, (\d+) records/s", res.err)
    assert progress, res.err
    assert all(int(read) <= 100000 and int(acked) <= int(read) for read, acked, _ in progress)
    assert re.search(r"100000 records in [0-9.]+ s, \d+ records/s\n$", res.err), res.err
    counts = e2e.read_stream(kinesis, name)
    assert sum(len(rs) for rs in counts.values()) == 100000


def test_get_one_shard_latest_and_at_a_time(sluice, kinesis, account):
    name = created(sluice, 2)
    ok(sluice("put", name, stdin="".join(f"early {i}\n" for i in range(20))))
    early = e2e.read_stream(kinesis, name)
    last_arrival = max(r["ApproximateArrivalTimestamp"] for rs in early.values() for r in rs).timestamp()
    e2e.wait_until(lambda: time.time() > last_arrival + 0.05, 5, "the clock to move past the first batch")
    boundary = time.time()
    ok(sluice("put", name, stdin="".join(f"late {i}\n" for i in range(20))))

    # The service's words: a shard id that could be one, and one that could not.
    missing = f"Shard shardId-000000000009 in stream {name} under account {account} does not exist"
    for arg, message in (("9", missing), ("shardId-000000000009", missing),
                         ("banana", f"Could not find shard banana in stream {name} under account {account}.")):
        res = sluice("get", name, "--shard", arg)
        assert (res.returncode, res.out) == (1, ""), res.err
        assert res.err == f"sluice: ResourceNotFoundException: {message}\n"
    res = ok(sluice("get", name, "--shard", "1", "--format", "hex"))
    shard1 = e2e.read_shard(kinesis, name, "shardId-000000000001")
    assert [line.split(" ")[1] for line in res.out.splitlines()] == [r["SequenceNumber"] for r in shard1]
    assert all(line.startswith("shardId-000000000001 ") for line in res.out.splitlines())
    assert [bytes.fromhex(line.split(" ")[3]) for line in res.out.splitlines()] == [r["Data"] for r in shard1]

    assert ok(sluice("get", name, "--from", "latest")).out == ""
    res = ok(sluice("get", name, "--at", f"{boundary:.3f}"))
    assert sorted(res.out.splitlines()) == sorted(f"late {i}" for i in range(20))
    iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(boundary)) + f".{int(boundary * 1000) % 1000:03d}Z"
    res = ok(sluice("get", name, "--at", iso))
    assert sorted(res.out.splitlines()) == sorted(f"late {i}" for i in range(20))
    assert len(ok(sluice("get", name, "--at", "-1h")).out.splitlines()) == 40
    assert len(ok(sluice("get", name, "--max", "7")).out.splitlines()) == 7


def test_get_reads_parents_before_children(sluice, kinesis):
    name = created(sluice, 2)
    ok(sluice("put", name, "--key-field", "k", stdin="".join(json.dumps({"k": f"k{i % 4}", "n": i}) + "\n"
                                                         for i in range(40))))
    ok(sluice("stream", "scale", name, "4"))
    ok(sluice("stream", "split", name, "shardId-000000000002"))
    ok(sluice("put", name, "--key-field", "k", stdin="".join(json.dumps({"k": f"k{i % 4}", "n": i}) + "\n"
                                                         for i in range(40, 80))))
    got = [json.loads(line) for line in ok(sluice("get", name)).out.splitlines()]
    assert len(got) == 80
    per_key: dict = {}
    for r in got:
        per_key.setdefault(r["k"], []).append(r["n"])
    for key, ns in per_key.items():
        assert ns == sorted(ns) and len(ns) == 20, key


# ---------------------------------------------------------------------------------------------
# tail


def consumer_of_tail(kinesis, name: str) -> tuple:
    """Waits for a starting `tail -f` to register its consumer; returns the stream ARN and its name."""
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    e2e.wait_until(lambda: kinesis.list_stream_consumers(StreamARN=arn)["Consumers"], 30,
                   "tail to register its consumer")
    [consumer] = kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]
    return arn, consumer["ConsumerName"]


def test_tail_follows_by_push_through_a_consumer(sluice, endpoint, kinesis):
    name = created(sluice, 2)
    start = f"{time.time() - 1:.3f}"  # records put after the subscription starts are not missed
    proc = popen(endpoint, "tail", name, "-f", "--at", start, "--max", "6", "--format", "json")
    try:
        arn, registered = consumer_of_tail(kinesis, name)
        for i in range(6):
            kinesis.put_record(StreamName=name, PartitionKey=f"pk{i}", Data=f"pushed {i}".encode())
        rc, out, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, err
    got = json_lines(out)
    assert sorted(base64.b64decode(r["Data"]).decode() for r in got) == [f"pushed {i}" for i in range(6)]
    assert re.fullmatch(r"sluice-cli-[0-9a-f]{8}", registered)
    assert err == (f"waiting for records on stream {name} (2 shards, push via consumer {registered}); "
                   "Ctrl-C to stop\n")
    # The consumer it registered went with it: the stream deletes without --force.
    assert kinesis.list_stream_consumers(StreamARN=arn)["Consumers"] == []
    assert {r["ShardId"] for r in got} <= {"shardId-000000000000", "shardId-000000000001"}
    ok(sluice("stream", "delete", name))


def test_tail_follows_one_shard_by_push(sluice, endpoint, kinesis):
    name = created(sluice, 2)
    start = f"{time.time() - 1:.3f}"
    proc = popen(endpoint, "tail", name, "-f", "--shard", "1", "--at", start, "--max", "3")
    try:
        arn, _ = consumer_of_tail(kinesis, name)
        shards = e2e.all_shards(kinesis, name)
        for i in range(40):  # keys of both shards; only shard 1's records are printed
            kinesis.put_record(StreamName=name, PartitionKey=f"pk{i}", Data=f"r{i}".encode())
        rc, out, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, err
    lo, hi = e2e.hash_range(shards[1])
    on_shard1 = [f"r{i}" for i in range(40) if lo <= e2e.partition_hash(f"pk{i}") <= hi]
    assert out.splitlines() == on_shard1[:3]
    assert re.fullmatch(rf"waiting for records on stream {name} \(shard shardId-000000000001, push via consumer "
                        r"sluice-cli-[0-9a-f]{8}\); Ctrl-C to stop\n", err), err

    res = sluice("tail", name, "-f", "--shard", "7")
    assert (res.returncode, res.out) == (1, "")
    assert res.err.startswith("sluice: ResourceNotFoundException: Shard shardId-000000000007 in stream "), res.err
    assert kinesis.list_stream_consumers(StreamARN=arn)["Consumers"] == []


def test_tail_follows_by_polling_without_a_consumer(sluice, endpoint, kinesis):
    name = created(sluice, 1)
    proc = popen(endpoint, "tail", name, "-f", "--poll", "--poll-interval", "0.05", "--from", "trim-horizon",
                 "--max", "3", "--format", "hex")
    try:
        for i in range(3):
            kinesis.put_record(StreamName=name, PartitionKey="k", Data=bytes([i, 255]))
        rc, out, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, err
    assert err == f"waiting for records on stream {name} (1 shard, polling every 0.05 s); Ctrl-C to stop\n"
    lines = out.splitlines()
    assert [line.split(" ")[3] for line in lines] == ["00ff", "01ff", "02ff"]
    assert all(line.split(" ")[2] == "k" for line in lines)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    assert kinesis.list_stream_consumers(StreamARN=arn)["Consumers"] == []


def test_tail_without_follow_stops_when_caught_up(sluice, kinesis):
    name = created(sluice, 2)
    assert ok(sluice("tail", name)).out == ""  # from LATEST: nothing new
    ok(sluice("put", name, "--key", "k", stdin="x\ny\n"))
    res = ok(sluice("tail", name, "--from", "trim-horizon"))
    assert res.out == "x\ny\n"


def test_tail_follow_ends_cleanly_on_sigint_and_with_a_named_consumer(sluice, endpoint, kinesis):
    name = created(sluice, 1)
    proc = popen(endpoint, "tail", name, "-f", "--consumer", "mine", "--from", "trim-horizon")
    try:
        arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        e2e.wait_until(lambda: [c["ConsumerName"] for c in
                                kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]] == ["mine"],
                       30, "the consumer 'mine'")
        kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"before interrupt")
        got = b""
        deadline = time.monotonic() + 30
        while b"before interrupt\n" not in got:
            assert time.monotonic() < deadline, "tail printed nothing"
            got += os.read(proc.stdout.fileno(), 4096)
        proc.send_signal(signal.SIGINT)
        rc, _, err = finish(proc, timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, err
    assert kinesis.list_stream_consumers(StreamARN=arn)["Consumers"] == []  # it registered 'mine': it went


def test_tail_leaves_a_consumer_it_did_not_register_and_sigterm_ends_it_cleanly(sluice, endpoint, kinesis):
    name = created(sluice, 1)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    e2e.register_consumer(kinesis, arn, "theirs")
    proc = popen(endpoint, "tail", name, "-f", "--consumer", "theirs")
    try:
        read_until(proc.stderr, b"waiting for records", 30)
        proc.send_signal(signal.SIGTERM)
        rc, _, err = finish(proc, timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, err
    assert [c["ConsumerName"] for c in kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]] == ["theirs"]

    res = sluice("stream", "delete", name)
    assert res.returncode == 1
    assert res.err == (f"sluice: ResourceInUseException: stream {name} has registered consumers; "
                       f"`sluice stream delete {name} --force` deletes them with it\n")
    assert "EnforceConsumerDeletion" not in res.err
    assert ok(sluice("stream", "delete", name, "--force")).out == f"deleting stream {name}\n"
    e2e.wait_gone(kinesis, name)


# ---------------------------------------------------------------------------------------------
# signing


def test_requests_are_signed_with_the_aws_credentials(spawn, tmp_path):
    """Against `--auth`, the CLI's SigV4 signatures verify with the right keys (account and
    region from the credentials), and a wrong secret gets the service's error."""
    creds = tmp_path / "credentials"
    creds.write_text("[team]\naws_access_key_id = AKIDTEAM\naws_secret_access_key = team/secret+1\n"
                     "aws_account_id = 123456789012\n")
    server = spawn("--auth", str(creds))
    env = {"AWS_ACCESS_KEY_ID": "AKIDTEAM", "AWS_SECRET_ACCESS_KEY": "team/secret+1",
           "AWS_REGION": "eu-west-1"}

    def run(*args, extra=None, stdin=None):
        res = subprocess.run([e2e.SLUICE_BIN, *args, "--endpoint", server.endpoint], capture_output=True,
                             timeout=RUN_TIMEOUT_S, env=clean_env({**env, **(extra or {})}),
                             input=stdin.encode() if stdin else None,
                             stdin=None if stdin else subprocess.DEVNULL)
        return res.returncode, res.stdout.decode(), res.stderr.decode()

    name = e2e.unique_name("signed")
    rc, out, err = run("stream", "create", name, "--json")
    assert rc == 0, err
    assert json.loads(out)["StreamARN"] == f"arn:aws:kinesis:eu-west-1:123456789012:stream/{name}"
    rc, out, err = run("put", name, stdin="signed record\n")
    assert rc == 0, err
    rc, out, err = run("get", name)
    assert (rc, out) == (0, "signed record\n"), err

    rc, out, err = run("stream", "list", extra={"AWS_SECRET_ACCESS_KEY": "wrong"})
    assert rc == 1
    assert err.startswith("sluice: InvalidSignatureException: The request signature we calculated does not "
                          "match the signature you provided."), err
    rc, out, err = run("stream", "list", extra={"AWS_ACCESS_KEY_ID": "AKIDUNKNOWN"})
    assert rc == 1
    assert err.startswith("sluice: UnrecognizedClientException: "), err


def test_leases_shows_who_reads_which_shard_and_how_far_behind(sluice, endpoint, kinesis):
    """A lease table as the KCL keeps it (written here with boto3): `sluice leases` shows each
    shard's owner, checkpoint and counter, and with --stream how far each checkpoint is behind."""
    stream = e2e.unique_name("leased")
    e2e.create_stream(kinesis, stream, shards=2)
    shard0, shard1 = [s["ShardId"] for s in e2e.list_shards(kinesis, stream)]
    hash0 = "0"
    seqs = [kinesis.put_record(StreamName=stream, PartitionKey="k", ExplicitHashKey=hash0,
                               Data=f"r{i}".encode())["SequenceNumber"] for i in range(3)]
    ddb = e2e.client(endpoint.url, service="dynamodb")
    app = e2e.unique_name("app")
    ddb.create_table(TableName=app, KeySchema=[{"AttributeName": "leaseKey", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "leaseKey", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName=app, Item={"leaseKey": {"S": shard0}, "leaseOwner": {"S": "worker-a"},
                                      "leaseCounter": {"N": "7"}, "checkpoint": {"S": seqs[1]},
                                      "checkpointSubSequenceNumber": {"N": "0"}})
    ddb.put_item(TableName=app, Item={"leaseKey": {"S": shard1}, "leaseCounter": {"N": "1"},
                                      "checkpoint": {"S": "TRIM_HORIZON"}})
    ddb.put_item(TableName=app, Item={"leaseKey": {"S": "shardId-000000000099"}, "leaseOwner": {"S": "worker-b"},
                                      "leaseCounter": {"N": "3"}, "checkpoint": {"S": "SHARD_END"},
                                      "parentShardId": {"SS": [shard0]}})

    res = sluice("leases", app, "--stream", stream, "--json")
    assert res.returncode == 0, res.err
    leases = {lease["ShardId"]: lease for lease in json.loads(res.out)["Leases"]}
    assert list(leases) == sorted([shard0, shard1, "shardId-000000000099"])
    assert leases[shard0]["Owner"] == "worker-a" and leases[shard0]["Counter"] == 7
    assert leases[shard0]["Checkpoint"] == seqs[1]
    assert "Owner" not in leases[shard1] and leases[shard1]["Checkpoint"] == "TRIM_HORIZON"
    assert leases["shardId-000000000099"]["ParentShardIds"] == [shard0]
    # Behind is asked of the stream for checkpoints that are positions, not for finished shards.
    assert leases[shard0]["MillisBehindLatest"] >= 0 and leases[shard1]["MillisBehindLatest"] >= 0
    assert "MillisBehindLatest" not in leases["shardId-000000000099"]

    table = sluice("leases", app)
    assert table.returncode == 0, table.err
    lines = table.out.splitlines()
    assert lines[0].split() == ["SHARD", "OWNER", "CHECKPOINT", "COUNTER", "BEHIND"]
    assert lines[1].split() == [shard0, "worker-a", seqs[1], "7", "-"]  # no --stream: no lag
    assert lines[2].split() == [shard1, "-", "TRIM_HORIZON", "1", "-"]
    assert lines[3].split() == ["shardId-000000000099", "worker-b", "SHARD_END", "3", "finished"]

    missing = sluice("leases", "no-such-app")
    assert missing.returncode == 1
    assert "ResourceNotFoundException" in missing.err, missing.err
