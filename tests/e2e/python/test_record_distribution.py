"""UpdateStreamRecordDistributionStrategy through boto3: every error, DescribeStreamSummary's
member, AUTO spreading one key's records over every open shard (and the answers naming the
shard that holds each record), and the strategy surviving a kill -9."""

from __future__ import annotations

import collections

import pytest

import sluice_e2e as e2e
from sluice_e2e import requires_sluice

pytestmark = requires_sluice("UpdateStreamRecordDistributionStrategy postdates kinesalite")

ON_DEMAND = {"StreamMode": "ON_DEMAND"}


def summary(kinesis, name: str) -> dict:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def set_strategy(kinesis, name: str, strategy: str):
    arn = summary(kinesis, name)["StreamARN"]
    kinesis.update_stream_record_distribution_strategy(StreamARN=arn, RecordDistributionStrategy=strategy)
    e2e.wait_active(kinesis, name)


def put_one_key(kinesis, name: str, count: int) -> collections.Counter:
    """PutRecords `count` records with one partition key; returns records per answered ShardId."""
    per_shard = collections.Counter()
    for start in range(0, count, 100):
        n = min(100, count - start)
        out = kinesis.put_records(StreamName=name, Records=[
            {"PartitionKey": "one-key", "Data": f"r{start + i}".encode()} for i in range(n)])
        assert out["FailedRecordCount"] == 0
        per_shard.update(r["ShardId"] for r in out["Records"])
    return per_shard


def test_errors_in_the_service_shape(kinesis, new_stream, endpoint, account):
    arn_of = lambda name: summary(kinesis, name)["StreamARN"]  # noqa: E731
    provisioned = new_stream(1)
    with pytest.raises(kinesis.exceptions.InvalidArgumentException) as e:
        kinesis.update_stream_record_distribution_strategy(StreamARN=arn_of(provisioned),
                                                           RecordDistributionStrategy="AUTO")
    assert e.value.response["Error"]["Message"] == (
        "Record distribution strategy can only be updated for streams in ON_DEMAND capacity mode. "
        f"Stream {provisioned} under account {account} is in PROVISIONED mode.")

    missing = arn_of(provisioned).rsplit("/", 1)[0] + "/missing-stream"
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.update_stream_record_distribution_strategy(StreamARN=missing, RecordDistributionStrategy="AUTO")

    # botocore checks neither enums nor patterns: the server does.
    with pytest.raises(kinesis.exceptions.ClientError) as e:
        kinesis.update_stream_record_distribution_strategy(StreamARN=arn_of(provisioned),
                                                           RecordDistributionStrategy="ROUND_ROBIN")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'ROUND_ROBIN' at 'recordDistributionStrategy' failed to satisfy "
        "constraint: Member must satisfy enum value set: [AUTO, USER_PARTITION_KEY]")
    with pytest.raises(kinesis.exceptions.ClientError) as e:
        kinesis.update_stream_record_distribution_strategy(StreamARN="not-an-arn", RecordDistributionStrategy="AUTO")
    assert e.value.response["Error"]["Code"] == "ValidationException"

    # Required members, which boto3 would not let us leave out.
    r = e2e.raw_call(endpoint.url, "UpdateStreamRecordDistributionStrategy", {})
    assert r.status == 400 and r.error_type == "ValidationException"
    assert r.message == (
        "2 validation errors detected: Value null at 'streamARN' failed to satisfy constraint: Member must not "
        "be null; Value null at 'recordDistributionStrategy' failed to satisfy constraint: Member must not be null")

    with pytest.raises(kinesis.exceptions.InvalidArgumentException):
        kinesis.create_stream(StreamName=e2e.unique_name("auto-prov"), ShardCount=1, RecordDistributionStrategy="AUTO")


def test_a_stream_not_active_is_in_use(spawn):
    server = spawn("--update-stream-ms", "60000")
    kinesis = e2e.client(server.endpoint)
    kinesis.create_stream(StreamName="busy", StreamModeDetails=ON_DEMAND)
    arn = e2e.wait_active(kinesis, "busy")["StreamARN"]
    kinesis.update_stream_record_distribution_strategy(StreamARN=arn, RecordDistributionStrategy="AUTO")
    assert summary(kinesis, "busy")["StreamStatus"] == "UPDATING"
    with pytest.raises(kinesis.exceptions.ResourceInUseException) as e:
        kinesis.update_stream_record_distribution_strategy(StreamARN=arn,
                                                           RecordDistributionStrategy="USER_PARTITION_KEY")
    assert "not ACTIVE, instead in state UPDATING" in e.value.response["Error"]["Message"]
    # Already in force for records arriving while UPDATING.
    assert len(put_one_key(kinesis, "busy", 40)) == 4


def test_describe_reports_the_strategy_of_on_demand_streams(kinesis, new_stream):
    provisioned = new_stream(1)
    assert "RecordDistributionStrategy" not in summary(kinesis, provisioned)
    on_demand = new_stream(2, StreamModeDetails=ON_DEMAND)
    assert summary(kinesis, on_demand)["RecordDistributionStrategy"] == "USER_PARTITION_KEY"
    set_strategy(kinesis, on_demand, "AUTO")
    assert summary(kinesis, on_demand)["RecordDistributionStrategy"] == "AUTO"
    set_strategy(kinesis, on_demand, "USER_PARTITION_KEY")
    assert summary(kinesis, on_demand)["RecordDistributionStrategy"] == "USER_PARTITION_KEY"

    created_auto = new_stream(2, StreamModeDetails=ON_DEMAND, RecordDistributionStrategy="AUTO")
    assert summary(kinesis, created_auto)["RecordDistributionStrategy"] == "AUTO"


def test_auto_balances_one_key_over_every_open_shard_after_the_change(kinesis, new_stream):
    name = new_stream(4, StreamModeDetails=ON_DEMAND)
    before = put_one_key(kinesis, name, 200)
    assert len(before) == 1, before

    set_strategy(kinesis, name, "AUTO")
    after = put_one_key(kinesis, name, 1000)
    assert len(after) == 4, after
    for shard, n in after.items():
        assert 225 <= n <= 275, after

    # Every record is in the shard its answer named: earlier ones stay where they were.
    stored = {shard: len(records) for shard, records in e2e.read_stream(kinesis, name).items()}
    assert stored == dict(before + after)

    # PutRecord too, and its ExplicitHashKey is ignored.
    shards = {kinesis.put_record(StreamName=name, PartitionKey="k", ExplicitHashKey="0", Data=b"x")["ShardId"]
              for _ in range(8)}
    assert len(shards) == 4


def test_switching_to_provisioned_resets_auto(kinesis, new_stream):
    name = new_stream(2, StreamModeDetails=ON_DEMAND)
    set_strategy(kinesis, name, "AUTO")
    arn = summary(kinesis, name)["StreamARN"]
    kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
    e2e.wait_active(kinesis, name)
    assert len(put_one_key(kinesis, name, 50)) == 1
    kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails=ON_DEMAND)
    e2e.wait_active(kinesis, name)
    assert summary(kinesis, name)["RecordDistributionStrategy"] == "USER_PARTITION_KEY"


def test_the_strategy_survives_kill_9(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    kinesis.create_stream(StreamName="kept", StreamModeDetails=ON_DEMAND)
    e2e.wait_active(kinesis, "kept")
    set_strategy(kinesis, "kept", "AUTO")
    server.kill9()
    server.restart()
    kinesis = e2e.client(server.endpoint)
    assert summary(kinesis, "kept")["RecordDistributionStrategy"] == "AUTO"
    assert len(put_one_key(kinesis, "kept", 40)) == 4


def test_records_without_a_partition_key_go_to_auto_streams_only(kinesis, new_stream):
    """The model made PartitionKey optional: AUTO streams take records without one (spread over the
    shards and read back), USER_PARTITION_KEY streams refuse them as a missing member."""
    name = new_stream(2, StreamModeDetails=ON_DEMAND)
    with pytest.raises(kinesis.exceptions.ClientError) as err:
        kinesis.put_record(StreamName=name, Data=b"no key")
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert err.value.response["Error"]["Message"] == (
        "1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: "
        "Member must not be null")
    with pytest.raises(kinesis.exceptions.ClientError) as err:
        kinesis.put_records(StreamName=name, Records=[{"Data": b"a", "PartitionKey": "k"}, {"Data": b"b"}])
    assert err.value.response["Error"]["Message"] == (
        "1 validation error detected: Value null at 'records.2.member.partitionKey' failed to satisfy "
        "constraint: Member must not be null")

    set_strategy(kinesis, name, "AUTO")
    shards = {kinesis.put_record(StreamName=name, Data=b"p%d" % i)["ShardId"] for i in range(4)}
    assert len(shards) == 2
    answer = kinesis.put_records(StreamName=name, Records=[{"Data": b"r%d" % i} for i in range(4)])
    assert answer["FailedRecordCount"] == 0
    stored = sorted(r["Data"] for records in e2e.read_stream(kinesis, name).values() for r in records)
    assert stored == sorted([b"p%d" % i for i in range(4)] + [b"r%d" % i for i in range(4)])
