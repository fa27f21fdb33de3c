"""Quota emulation (`--limits real`, `--limit NAME=VALUE`): a producer at twice a shard's write
rate gets the shard's rate, PutRecords fails only the throttled records, boto3's retries recover,
GetRecords and the control plane answer the service's errors, and nothing is throttled when the
limits are off."""

from __future__ import annotations

import time
import urllib.request

import boto3
import botocore.config
import pytest

import sluice_e2e as e2e


def metric(server, name: str, label: str) -> float:
    """The value of metric `name` on the sample whose labels include `label`, from /metrics."""
    with urllib.request.urlopen(f"{server.endpoint}/metrics", timeout=10) as resp:
        text = resp.read().decode()
    for line in text.splitlines():
        if line.startswith(name + "{") and label in line:
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no {name} sample with {label} in:\n{text}")


def retrying_client(endpoint: str, attempts: int = 20):
    """A boto3 client with the SDK's standard retry mode, as applications run it."""
    cfg = botocore.config.Config(region_name=e2e.REGION, connect_timeout=5, read_timeout=30,
                                 retries={"mode": "standard", "total_max_attempts": attempts})
    return boto3.session.Session().client(
        "kinesis", endpoint_url=endpoint, aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret", region_name=e2e.REGION, config=cfg)


def test_a_producer_at_twice_the_shard_rate_gets_the_shard_rate(spawn):
    server = spawn("--limits", "real", "--durability", "os")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "paced", 1)

    # 2,000 records/s for 11 s: PutRecords of 100 records every 50 ms, on a schedule. The first
    # second spends the burst allowance; the 10 s after it are measured.
    batch, period, seconds, warmup = 100, 0.05, 11.0, 1.0
    start = time.monotonic()
    sent = accepted = throttled_in_window = sent_in_window = accepted_in_window = 0
    messages = set()
    step = 0
    while True:
        due = start + step * period
        if due >= start + seconds:
            break
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)  # pacing the load, not waiting for the server
        resp = kinesis.put_records(StreamName="paced", Records=[
            {"PartitionKey": f"k{step}", "Data": b"%06d-%03d" % (step, i)} for i in range(batch)])
        ok = sum(1 for r in resp["Records"] if "SequenceNumber" in r)
        failed = [r for r in resp["Records"] if "ErrorCode" in r]
        assert resp.get("FailedRecordCount", 0) == len(failed)
        for r in failed:
            assert r["ErrorCode"] == "ProvisionedThroughputExceededException"
            messages.add(r["ErrorMessage"])
        sent += batch
        accepted += ok
        if due >= start + warmup:
            sent_in_window += batch
            accepted_in_window += ok
            throttled_in_window += len(failed)
        step += 1
    elapsed_window = seconds - warmup
    offered = sent_in_window / elapsed_window
    rate = accepted_in_window / elapsed_window
    # The client may fall a little behind its schedule on a busy machine; it must still offer
    # well over the quota for the figure to mean anything.
    assert offered > 1500, f"the producer offered only {offered:.0f} records/s"
    assert 900 <= rate <= 1100, f"accepted {rate:.0f} records/s (offered {offered:.0f})"
    share = throttled_in_window / sent_in_window
    expected_share = 1 - 1000 / offered
    assert abs(share - expected_share) < 0.1, (share, expected_share)
    assert messages == {"Rate exceeded for shard shardId-000000000000 in stream paced under account "
                        "000000000000."}

    # Every accepted record is in the shard, once.
    records = e2e.read_shard(kinesis, "paced", "shardId-000000000000")
    assert len(records) == accepted
    assert len({r["Data"] for r in records}) == accepted
    # CloudWatch's WriteProvisionedThroughputExceeded counts the refused records.
    assert metric(server, "sluice_stream_write_provisioned_throughput_exceeded_total", 'stream="paced"') == sent - accepted
    server.stop()


def test_boto3_retries_recover_from_throttled_puts(spawn):
    server = spawn("--limit", "shard-write-records=50", "--durability", "os")
    plain = e2e.client(server.endpoint)
    e2e.create_stream(plain, "retried", 1)

    # Without retries the 51st record in a second is refused with the service's exception...
    refused = None
    for i in range(200):
        try:
            plain.put_record(StreamName="retried", PartitionKey="k", Data=b"probe")
        except plain.exceptions.ProvisionedThroughputExceededException as err:
            refused = err
            break
    assert refused is not None, "no record was throttled at 50 records/s"
    assert refused.response["Error"]["Message"] == (
        "Rate exceeded for shard shardId-000000000000 in stream retried under account 000000000000.")
    probes = i

    # ...and the SDK's standard retries carry a steady producer through.
    kinesis = retrying_client(server.endpoint)
    retried = 0
    for i in range(120):
        resp = kinesis.put_record(StreamName="retried", PartitionKey="k", Data=b"r%03d" % i)
        retried += resp["ResponseMetadata"]["RetryAttempts"]
    assert retried > 0, "the SDK never had to retry"
    data = [r["Data"] for r in e2e.read_shard(plain, "retried", "shardId-000000000000")]
    assert data[:probes] == [b"probe"] * probes
    assert data[probes:] == [b"r%03d" % i for i in range(120)], "every record once, in order"
    server.stop()


def test_get_records_and_get_shard_iterator_follow_the_read_quota(spawn):
    server = spawn("--limits", "real", "--durability", "os")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "reads", 1)
    kinesis.put_records(StreamName="reads", Records=[{"PartitionKey": "k", "Data": b"%d" % i} for i in range(10)])
    iterators = []
    with pytest.raises(kinesis.exceptions.ProvisionedThroughputExceededException):
        for _ in range(20):  # five a second are allowed
            iterators.append(kinesis.get_shard_iterator(
                StreamName="reads", ShardId="shardId-000000000000",
                ShardIteratorType="TRIM_HORIZON")["ShardIterator"])
    assert 5 <= len(iterators) < 20
    iterator = iterators[-1]
    got = []
    err = None
    for _ in range(20):
        try:
            resp = kinesis.get_records(ShardIterator=iterator, Limit=1)
        except kinesis.exceptions.ProvisionedThroughputExceededException as e:
            err = e
            break
        got += [r["Data"] for r in resp["Records"]]
        iterator = resp["NextShardIterator"]
    assert err is not None, "twenty GetRecords calls in a row were all served"
    assert err.response["Error"]["Message"] == (
        "Rate exceeded for shard shardId-000000000000 in stream reads under account 000000000000.")
    assert len(got) >= 5
    assert metric(server, "sluice_stream_read_provisioned_throughput_exceeded_total", 'stream="reads"') >= 1

    # The refused call read nothing: once the quota allows, its iterator goes on from there.
    def next_batch():
        try:
            return kinesis.get_records(ShardIterator=iterator, Limit=1)
        except kinesis.exceptions.ProvisionedThroughputExceededException:
            return None
    resp = e2e.wait_until(next_batch, 10, "GetRecords allowed again")
    assert [r["Data"] for r in resp["Records"]] == [b"%d" % len(got)]
    server.stop()


def test_control_plane_rates_answer_limit_exceeded(spawn):
    server = spawn("--limits", "real", "--durability", "os")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "described", 1)
    err = None
    for _ in range(40):  # DescribeStream: 10 a second per account
        try:
            kinesis.describe_stream(StreamName="described")
        except kinesis.exceptions.LimitExceededException as e:
            err = e
            break
    assert err is not None
    assert err.response["Error"]["Message"] == "Rate exceeded for stream described under account 000000000000."
    # Other operations have their own rates; DescribeStream itself refills within the second.
    assert kinesis.describe_stream_summary(StreamName="described")["StreamDescriptionSummary"]["StreamName"] == "described"

    def described():
        try:
            return kinesis.describe_stream(StreamName="described")
        except kinesis.exceptions.LimitExceededException:
            return None
    assert e2e.wait_until(described, 5, "DescribeStream allowed again")["StreamDescription"]["StreamName"] == "described"
    server.stop()


def test_limits_are_off_by_default(spawn):
    server = spawn("--durability", "os")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "free", 1)
    for step in range(10):  # 5,000 records at once: far beyond a real shard's second
        resp = kinesis.put_records(StreamName="free", Records=[
            {"PartitionKey": "k", "Data": b"%d" % (step * 500 + i)} for i in range(500)])
        assert resp["FailedRecordCount"] == 0
    for _ in range(30):
        kinesis.describe_stream(StreamName="free")
    server.stop()
