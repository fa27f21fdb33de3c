"""Channels' control plane with boto3: create, describe, list, update, delete,
the service's errors, S3 Tables channels FAILED with a reason, and channels
surviving a kill -9."""
import pytest
from botocore.exceptions import ClientError

import sluice_e2e as e2e

ACCOUNT = "000000000000"
BUCKET = "arn:aws:s3:::sluice-channel-bucket"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/channel-role"


def on_demand_stream(kinesis, name):
    kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    return e2e.wait_active(kinesis, name)["StreamARN"]


def s3_channel(kinesis, name, stream_arn, **extra):
    return kinesis.create_channel(
        ChannelName=name,
        ServiceExecutionRoleARN=ROLE,
        StreamConfigurationList=[{"StreamARN": stream_arn, "RecordConfiguration": {"RecordFormatType": "JSON"}}],
        S3DestinationConfiguration={
            "DataFreshnessInSeconds": 60,
            "StorageConfiguration": {"BucketARN": BUCKET, "ExpectedBucketOwner": ACCOUNT, "CompressionType": "GZIP"},
        },
        **extra,
    )["ChannelDescription"]


def status_of(kinesis, arn):
    return kinesis.describe_channel(ChannelARN=arn)["ChannelDescription"]["ChannelStatus"]


def test_channel_lifecycle_with_every_operation(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    stream_arn = on_demand_stream(kinesis, "src")
    created = s3_channel(kinesis, "ch", stream_arn, Tags={"team": "a"})
    assert created["ChannelStatus"] == "CREATING"
    assert created["ChannelARN"] == f"arn:aws:kinesis:us-east-1:{ACCOUNT}:channel/ch"
    arn = created["ChannelARN"]
    e2e.wait_until(lambda: status_of(kinesis, arn) == "ACTIVE", 10, "channel ACTIVE")
    d = kinesis.describe_channel(ChannelARN=arn)["ChannelDescription"]
    assert d["ChannelId"] == created["ChannelId"]
    dest = d["S3DestinationConfiguration"]
    assert dest["DataFreshnessInSeconds"] == 60
    assert dest["StorageConfiguration"]["CompressionType"] == "GZIP"
    assert dest["DeadLetterQueueS3Configuration"]["BucketARN"] == BUCKET
    assert d["LoggingConfiguration"] == {"CloudWatchLogs": {"Enabled": False}}

    updated = kinesis.update_channel(ChannelARN=arn, S3DestinationConfiguration={"DataFreshnessInSeconds": 120})
    assert updated["ChannelDescription"]["ChannelStatus"] == "UPDATING"
    e2e.wait_until(lambda: status_of(kinesis, arn) == "ACTIVE", 10, "channel ACTIVE after update")

    listed = kinesis.list_channels(StreamFilter=[{"StreamARN": stream_arn}])["ChannelSummaries"]
    assert [c["ChannelName"] for c in listed] == ["ch"]
    assert listed[0]["ChannelDestinationType"] == "S3"
    assert kinesis.list_channels(StreamFilter=[{"StreamARN": stream_arn + "x"}])["ChannelSummaries"] == []

    kinesis.delete_channel(ChannelARN=arn)

    def gone():
        try:
            kinesis.describe_channel(ChannelARN=arn)
        except ClientError as err:
            return err.response["Error"]["Code"] == "ResourceNotFoundException"
        return False

    e2e.wait_until(gone, 10, "channel gone")


def test_channel_errors_are_the_services(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    stream_arn = on_demand_stream(kinesis, "src")
    s3_channel(kinesis, "dup", stream_arn)
    with pytest.raises(ClientError) as err:
        s3_channel(kinesis, "dup", stream_arn)
    assert err.value.response["Error"]["Code"] == "ResourceInUseException"
    assert err.value.response["Error"]["Message"] == f"Channel dup under account {ACCOUNT} already exists."

    kinesis.create_stream(StreamName="prov", ShardCount=1)
    prov_arn = e2e.wait_active(kinesis, "prov")["StreamARN"]
    with pytest.raises(ClientError) as err:
        s3_channel(kinesis, "p", prov_arn)
    assert err.value.response["Error"]["Code"] == "InvalidArgumentException"

    with pytest.raises(ClientError) as err:
        s3_channel(kinesis, "m", stream_arn.replace("stream/src", "stream/missing"))
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"

    with pytest.raises(ClientError) as err:
        kinesis.describe_channel(ChannelARN=f"arn:aws:kinesis:us-east-1:{ACCOUNT}:channel/none")
    assert err.value.response["Error"]["Message"] == f"Channel none under account {ACCOUNT} not found."

    with pytest.raises(ClientError) as err:
        kinesis.create_channel(
            ChannelName="bad name!",
            ServiceExecutionRoleARN=ROLE,
            StreamConfigurationList=[{"StreamARN": stream_arn, "RecordConfiguration": {"RecordFormatType": "JSON"}}],
            S3DestinationConfiguration={
                "StorageConfiguration": {"BucketARN": BUCKET, "ExpectedBucketOwner": ACCOUNT, "CompressionType": "NONE"}
            },
        )
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert err.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'bad name!' at 'channelName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )


def test_s3_tables_channel_fails_with_a_plain_reason(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    stream_arn = on_demand_stream(kinesis, "src")
    arn = kinesis.create_channel(
        ChannelName="tables",
        ServiceExecutionRoleARN=ROLE,
        StreamConfigurationList=[{"StreamARN": stream_arn, "RecordConfiguration": {"RecordFormatType": "JSON"}}],
        S3TablesDestinationConfiguration={
            "DeadLetterQueueS3Configuration": {"BucketARN": BUCKET, "ExpectedBucketOwner": ACCOUNT},
            "S3TablesConfigurationList": [
                {
                    "TableBucketARN": f"arn:aws:s3tables:us-east-1:{ACCOUNT}:bucket/tables",
                    "Namespace": "ns",
                    "TableName": "t",
                    "CompressionType": "ZSTD",
                }
            ],
        },
    )["ChannelDescription"]["ChannelARN"]
    e2e.wait_until(lambda: status_of(kinesis, arn) == "FAILED", 10, "channel FAILED")
    reason = kinesis.describe_channel(ChannelARN=arn)["ChannelDescription"]["ChannelStatusReason"]
    assert "delivers only to general purpose S3 buckets" in reason


def test_channels_survive_kill9(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    stream_arn = on_demand_stream(kinesis, "src")
    created = s3_channel(kinesis, "kept", stream_arn)
    server.kill9()
    server.restart()
    kinesis = e2e.client(server.endpoint)
    d = kinesis.describe_channel(ChannelARN=created["ChannelARN"])["ChannelDescription"]
    assert d["ChannelId"] == created["ChannelId"]
    assert d["S3DestinationConfiguration"]["DataFreshnessInSeconds"] == 60
