"""Stream settings through boto3: tags (stream-name and ARN forms), retention, enhanced
monitoring, encryption state, and DescribeLimits; settings survive a restart."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import sluice_e2e as e2e
from sluice_e2e import requires_sluice


def tags_of(kinesis, name: str) -> dict:
    out = kinesis.list_tags_for_stream(StreamName=name)
    assert out["HasMoreTags"] is False
    return {t["Key"]: t["Value"] for t in out["Tags"]}


@requires_sluice("ARN tagging operations postdate kinesalite")
def test_tags_by_name_and_by_arn_share_one_store(kinesis, new_stream):
    name = new_stream(1)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    kinesis.add_tags_to_stream(StreamName=name, Tags={"team": "data", "env": "test"})
    kinesis.tag_resource(ResourceARN=arn, Tags={"env": "prod", "owner": "me"})
    assert tags_of(kinesis, name) == {"team": "data", "env": "prod", "owner": "me"}
    kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["team", "missing-is-ignored"])
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["owner"])
    by_arn = kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"]
    assert by_arn == [{"Key": "env", "Value": "prod"}]
    assert tags_of(kinesis, name) == {"env": "prod"}


def test_more_than_fifty_tags_is_refused_and_nothing_is_added(kinesis, new_stream):
    name = new_stream(1)
    kinesis.add_tags_to_stream(StreamName=name, Tags={f"k{i}": "v" for i in range(45)})
    with pytest.raises(ClientError) as err:
        kinesis.add_tags_to_stream(StreamName=name, Tags={f"x{i}": "v" for i in range(6)})
    assert err.value.response["Error"]["Code"] in ("InvalidArgumentException", "LimitExceededException")
    assert len(tags_of(kinesis, name)) == 45


def test_retention_increase_and_decrease_with_the_services_messages(kinesis, new_stream):
    name = new_stream(1)
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=72)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["RetentionPeriodHours"] == 72
    with pytest.raises(ClientError) as err:
        kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=96)
    assert err.value.response["Error"]["Code"] == "InvalidArgumentException"
    assert err.value.response["Error"]["Message"] == (
        f"Requested retention period (96 hours) for stream {name} can not be longer than existing "
        "retention period (72 hours). Use IncreaseStreamRetentionPeriod API.")
    kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["RetentionPeriodHours"] == 24


def test_enhanced_monitoring_all_expands_and_shows_in_describe(kinesis, new_stream):
    name = new_stream(1)
    out = kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
    assert out["CurrentShardLevelMetrics"] == []
    assert len(out["DesiredShardLevelMetrics"]) == 7
    d = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert sorted(d["EnhancedMonitoring"][0]["ShardLevelMetrics"]) == sorted(out["DesiredShardLevelMetrics"])
    out = kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
    assert "IncomingBytes" not in out["DesiredShardLevelMetrics"]
    assert len(out["DesiredShardLevelMetrics"]) == 6


@requires_sluice("encryption is state only here; kinesalite models it differently")
def test_encryption_state_is_reported_on_records_written_after(kinesis, new_stream):
    name = new_stream(1)
    kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    d = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert d["EncryptionType"] == "KMS"
    assert d["KeyId"] == "alias/aws/kinesis"
    put = kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"secret")
    assert put["EncryptionType"] == "KMS"
    recs = e2e.read_shard(kinesis, name, put["ShardId"])
    assert [r["Data"] for r in recs] == [b"secret"]
    assert recs[0]["EncryptionType"] == "KMS"
    kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    assert kinesis.describe_stream(StreamName=name)["StreamDescription"]["EncryptionType"] == "NONE"


@requires_sluice("DescribeLimits fields of the current model")
def test_describe_limits_counts_open_shards(kinesis, new_stream):
    before = kinesis.describe_limits()["OpenShardCount"]
    new_stream(3)
    limits = kinesis.describe_limits()
    assert limits["OpenShardCount"] == before + 3
    assert limits["ShardLimit"] >= limits["OpenShardCount"]
    assert limits["OnDemandStreamCountLimit"] == 50


def test_settings_survive_a_restart(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "settled", 1)
    kinesis.add_tags_to_stream(StreamName="settled", Tags={"a": "1"})
    kinesis.increase_stream_retention_period(StreamName="settled", RetentionPeriodHours=48)
    kinesis.enable_enhanced_monitoring(StreamName="settled", ShardLevelMetrics=["IncomingRecords"])
    kinesis.start_stream_encryption(StreamName="settled", EncryptionType="KMS", KeyId="k1")
    assert server.stop() == 0
    server.restart()
    kinesis = e2e.client(server.endpoint)
    d = kinesis.describe_stream(StreamName="settled")["StreamDescription"]
    assert d["RetentionPeriodHours"] == 48
    assert d["EnhancedMonitoring"][0]["ShardLevelMetrics"] == ["IncomingRecords"]
    assert d["EncryptionType"] == "KMS" and d["KeyId"] == "k1"
    assert tags_of(kinesis, "settled") == {"a": "1"}
