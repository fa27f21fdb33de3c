"""Channels as resources of other operations, with boto3: TagResource, UntagResource and
ListTagsForResource on channel ARNs (kept across kill -9)."""
import pytest
from botocore.exceptions import ClientError

import sluice_e2e as e2e
from test_channels import ACCOUNT, on_demand_stream, s3_channel


def tags_of(kinesis, arn):
    return {t["Key"]: t["Value"] for t in kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"]}


def test_channel_tags_are_added_removed_listed_and_kept_across_kill9(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    arn = s3_channel(kinesis, "tagged", on_demand_stream(kinesis, "src"), Tags={"team": "a"})["ChannelARN"]
    assert tags_of(kinesis, arn) == {"team": "a"}

    kinesis.tag_resource(ResourceARN=arn, Tags={"team": "b", "env": "test", "empty": ""})
    assert tags_of(kinesis, arn) == {"team": "b", "env": "test", "empty": ""}
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["env", "not-there"])
    assert tags_of(kinesis, arn) == {"team": "b", "empty": ""}

    server.kill9()
    server.restart()
    kinesis = e2e.client(server.endpoint)
    assert tags_of(kinesis, arn) == {"team": "b", "empty": ""}
    # The stream's own tags are apart from its channel's.
    assert kinesis.list_tags_for_resource(ResourceARN=kinesis.describe_stream_summary(
        StreamName="src")["StreamDescriptionSummary"]["StreamARN"])["Tags"] == []


def test_channel_tag_errors_are_the_services(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    arn = s3_channel(kinesis, "tagged", on_demand_stream(kinesis, "src"))["ChannelARN"]
    missing = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:channel/missing"
    for call in (lambda: kinesis.tag_resource(ResourceARN=missing, Tags={"a": "b"}),
                 lambda: kinesis.untag_resource(ResourceARN=missing, TagKeys=["a"]),
                 lambda: kinesis.list_tags_for_resource(ResourceARN=missing)):
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert err.value.response["Error"]["Message"] == f"Channel missing under account {ACCOUNT} not found."

    with pytest.raises(ClientError) as err:
        kinesis.tag_resource(ResourceARN=arn, Tags={"a": "100%"})
    assert err.value.response["Error"]["Code"] == "InvalidArgumentException"
    assert err.value.response["Error"]["Message"].startswith(
        f"Failed to add tags to channel tagged under account {ACCOUNT} because some tags contained illegal")

    kinesis.tag_resource(ResourceARN=arn, Tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(ClientError) as err:
        kinesis.tag_resource(ResourceARN=arn, Tags={"one-more": "v"})
    assert err.value.response["Error"]["Code"] == "InvalidArgumentException"
    assert err.value.response["Error"]["Message"] == (
        f"Failed to add tags to channel tagged under account {ACCOUNT} because a given channel cannot have more "
        "than 50 tags associated with it.")
    assert len(tags_of(kinesis, arn)) == 50


def test_a_stream_a_channel_reads_is_not_deleted_until_the_channel_is(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    stream_arn = on_demand_stream(kinesis, "read")
    channel_arn = s3_channel(kinesis, "reader", stream_arn)["ChannelARN"]
    for enforce in (False, True):
        with pytest.raises(ClientError) as err:
            kinesis.delete_stream(StreamARN=stream_arn, EnforceConsumerDeletion=enforce)
        assert err.value.response["Error"]["Code"] == "ResourceInUseException"
        assert err.value.response["Error"]["Message"] == (
            f"Stream read under account {ACCOUNT} cannot be deleted while channel reader reads it; delete the "
            "channel first.")
    assert kinesis.describe_stream_summary(StreamName="read")["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE"

    kinesis.delete_channel(ChannelARN=channel_arn)
    kinesis.delete_stream(StreamARN=stream_arn)
    e2e.wait_gone(kinesis, "read")
    with pytest.raises(ClientError) as err:
        kinesis.delete_stream(StreamName="read")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
