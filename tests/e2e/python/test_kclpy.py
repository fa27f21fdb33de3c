"""The Python KCL (amazon-kclpy, pinned in requirements.txt) against Sluice alone: its Java
MultiLangDaemon, a real process, keeps the lease table in Sluice's DynamoDB, sends its metrics to
Sluice's CloudWatch and reads the stream from Sluice, and runs a record processor written in
Python (kclpy_processor.py) per shard."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import sluice_e2e as e2e

SHARDS = 2
KEYS = 8
PER_KEY = 10
PROCESSOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kclpy_processor.py")


def daemon_properties(endpoint: str, stream: str, application: str, output: str) -> str:
    """The daemon's properties: every client at Sluice, lease timings for a test of seconds."""
    return f"""executableName = {sys.executable} {PROCESSOR} {output}
streamName = {stream}
applicationName = {application}
processingLanguage = python/{sys.version_info.major}.{sys.version_info.minor}
regionName = us-east-1
AwsCredentialsProvider = DefaultCredentialsProvider
kinesisEndpoint = {endpoint}
dynamoDBEndpoint = {endpoint}
cloudWatchClient.endpointOverride = {endpoint}
initialPositionInStream = TRIM_HORIZON
retrievalMode = POLLING
idleTimeBetweenReadsInMillis = 200
failoverTimeMillis = 3000
shardSyncIntervalMillis = 1000
leaseAssignmentIntervalMillis = 1000
parentShardPollIntervalMillis = 500
metricsBufferTimeMillis = 1000
"""


def start_daemon(work_dir, endpoint: str, stream: str, application: str, output: str):
    """A MultiLangDaemon in `work_dir` with every client at `endpoint`: the process and its log's path."""
    try:
        from samples import amazon_kclpy_helper  # installed with amazon-kclpy, beside its jars
    except ImportError as e:
        raise AssertionError(f"amazon-kclpy is not installed ({e}): run scripts/bootstrap") from e
    java = shutil.which("java")
    assert java, "no java on PATH (scripts/bootstrap installs a JDK)"
    properties = work_dir / "kclpy.properties"
    properties.write_text(daemon_properties(endpoint, stream, application, output))
    classpath = amazon_kclpy_helper.get_kcl_classpath(str(properties))
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDKCLPY", AWS_SECRET_ACCESS_KEY="secret",
               AWS_REGION="us-east-1")
    log_path = work_dir / "daemon.log"
    with open(log_path, "wb") as log:
        daemon = subprocess.Popen(
            [java, "-cp", classpath, "software.amazon.kinesis.multilang.MultiLangDaemon",
             "--properties-file", properties.name],
            cwd=work_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    return daemon, log_path


def stop_daemon(daemon):
    daemon.terminate()
    try:
        daemon.wait(20)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait()


def read_output(path: str) -> list:
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


def leases(dynamo, application: str) -> dict:
    """Shard id -> checkpoint, from the application's lease table (none before the KCL made it)."""
    try:
        items = dynamo.scan(TableName=application, ConsistentRead=True)["Items"]
    except dynamo.exceptions.ResourceNotFoundException:
        return {}
    return {i["leaseKey"]["S"]: i["checkpoint"]["S"] for i in items if "checkpoint" in i}


def test_a_python_record_processor_under_the_multilangdaemon_gets_every_record_and_checkpoints(
        spawn, tmp_path):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    dynamo = e2e.client(server.endpoint, service="dynamodb")
    stream = e2e.unique_name("kclpy")
    application = e2e.unique_name("kclpy-app")
    e2e.create_stream(kinesis, stream, SHARDS)

    put = {}  # (shard, sequence number) -> (key, data)

    def put_records(round_: int):
        entries = [{"PartitionKey": f"key-{k}", "Data": f"key-{k}#{round_}-{n}".encode()}
                   for n in range(PER_KEY) for k in range(KEYS)]
        response = kinesis.put_records(StreamName=stream, Records=entries)
        assert response["FailedRecordCount"] == 0, response
        for entry, result in zip(entries, response["Records"]):
            put[(result["ShardId"], result["SequenceNumber"])] = (entry["PartitionKey"], entry["Data"].decode())

    put_records(1)
    output = str(tmp_path / "processed.jsonl")
    daemon, log_path = start_daemon(tmp_path, server.endpoint, stream, application, output)

    def seen() -> dict:
        return {(p["shard"], p["sequence"]): (p["key"], p["data"]) for p in read_output(output) if "shard" in p}

    def last_by_shard() -> dict:
        last = {}
        for shard, sequence in put:
            if shard not in last or int(sequence) > int(last[shard]):
                last[shard] = sequence
        return last

    def diagnosis() -> str:
        return (f"processed {len(seen())} of {len(put)}; leases {leases(dynamo, application)}\n"
                f"daemon log (tail):\n{log_path.read_text(errors='replace')[-6000:]}\nserver log:\n{server.log}")

    try:
        for round_ in (1, 2):
            if round_ == 2:
                put_records(2)  # while the daemon reads
            try:
                e2e.wait_until(lambda: set(put) <= set(seen()), 90, f"every record of round {round_} processed")
                e2e.wait_until(lambda: leases(dynamo, application) == last_by_shard(), 15,
                               "each shard's checkpoint at its last record")
            except AssertionError as e:
                raise AssertionError(f"{e}\n{diagnosis()}") from e
        assert daemon.poll() is None, f"the daemon exited with {daemon.returncode}\n{diagnosis()}"
    finally:
        stop_daemon(daemon)

    assert {k: seen()[k] for k in put} == put, "each record's key and data as put"
    errors = [p["error"] for p in read_output(output) if "error" in p]
    assert errors == [], "checkpoint errors"
    # Each key's records in the order they were put, first time seen (a lease move may repeat some).
    for k in range(KEYS):
        key = f"key-{k}"
        expected = [data for (shard, seq), (pk, data) in sorted(put.items(), key=lambda i: int(i[0][1])) if pk == key]
        first_seen = list(dict.fromkeys(p["data"] for p in read_output(output) if p.get("key") == key))
        assert first_seen == expected, f"order of {key}"
    # The KCL's metrics reached Sluice's CloudWatch under the application's name.
    cloudwatch = e2e.client(server.endpoint, service="cloudwatch")
    e2e.wait_until(lambda: cloudwatch.list_metrics(Namespace=application)["Metrics"], 15,
                   "the KCL's metrics in Sluice's CloudWatch")
