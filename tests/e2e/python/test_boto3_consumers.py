"""Stream consumers (enhanced fan-out registrations) through boto3 and the AWS CLI: the full
lifecycle with CREATING and DELETING periods, paging with MaxResults (and boto3's paginator),
DeleteStream's EnforceConsumerDeletion, tags and policies on a consumer ARN, ConsumerCount, and
consumers surviving a restart."""

from __future__ import annotations

import datetime as _dt

import pytest
from botocore.exceptions import ClientError

import sluice_e2e as e2e
from sluice_e2e import requires_sluice


def arn_of(kinesis, name: str) -> str:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def consumer_status(kinesis, consumer_arn: str) -> str:
    return kinesis.describe_stream_consumer(ConsumerARN=consumer_arn)["ConsumerDescription"]["ConsumerStatus"]


def wait_consumer_active(kinesis, consumer_arn: str, timeout: float = 30.0):
    e2e.wait_until(lambda: consumer_status(kinesis, consumer_arn) == "ACTIVE", timeout,
                   f"consumer {consumer_arn} ACTIVE")


def error_of(excinfo) -> tuple:
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


@requires_sluice("the CREATING and DELETING periods are Sluice's flags")
def test_consumers_lifecycle_with_creating_and_deleting_periods(spawn):
    server = spawn("--register-consumer-ms", "400", "--deregister-consumer-ms", "400")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "fanout", 2)
    stream_arn = arn_of(kinesis, "fanout")

    before = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    consumer = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="reader")["Consumer"]
    assert consumer["ConsumerName"] == "reader"
    assert consumer["ConsumerStatus"] == "CREATING"
    created = consumer["ConsumerCreationTimestamp"]
    assert isinstance(created, _dt.datetime) and created >= before
    assert consumer["ConsumerARN"] == f"{stream_arn}/consumer/reader:{int(created.timestamp())}"
    arn = consumer["ConsumerARN"]

    wait_consumer_active(kinesis, arn)
    by_name = kinesis.describe_stream_consumer(StreamARN=stream_arn, ConsumerName="reader")
    desc = by_name["ConsumerDescription"]
    assert desc == {
        "ConsumerName": "reader",
        "ConsumerARN": arn,
        "ConsumerStatus": "ACTIVE",
        "ConsumerCreationTimestamp": created,
        "StreamARN": stream_arn,
    }
    summary = kinesis.describe_stream_summary(StreamName="fanout")["StreamDescriptionSummary"]
    assert summary["ConsumerCount"] == 1
    listed = kinesis.list_stream_consumers(StreamARN=stream_arn)["Consumers"]
    assert [c["ConsumerARN"] for c in listed] == [arn]

    with pytest.raises(ClientError) as dup:
        kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="reader")
    assert error_of(dup)[0] == "ResourceInUseException"

    kinesis.deregister_stream_consumer(ConsumerARN=arn)
    assert consumer_status(kinesis, arn) == "DELETING"

    def gone():
        try:
            kinesis.describe_stream_consumer(ConsumerARN=arn)
            return False
        except kinesis.exceptions.ResourceNotFoundException:
            return True

    e2e.wait_until(gone, 30.0, "deregistered consumer gone")
    assert kinesis.list_stream_consumers(StreamARN=stream_arn)["Consumers"] == []
    assert kinesis.describe_stream_summary(StreamName="fanout")["StreamDescriptionSummary"]["ConsumerCount"] == 0


def test_consumers_page_with_max_results(kinesis, new_stream):
    name = new_stream()
    stream_arn = arn_of(kinesis, name)
    names = [f"c{i}" for i in range(7)]
    for n in names:
        kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=n)

    seen, token, pages = [], None, 0
    while True:
        kw = {"StreamARN": stream_arn, "MaxResults": 3}
        if token:
            kw["NextToken"] = token
        page = kinesis.list_stream_consumers(**kw)
        assert len(page["Consumers"]) <= 3
        seen += [c["ConsumerName"] for c in page["Consumers"]]
        pages += 1
        token = page.get("NextToken")
        if not token or pages > 10:
            break
    assert pages == 3
    assert sorted(seen) == names and len(seen) == len(names)

    paginator = kinesis.get_paginator("list_stream_consumers")
    everything = paginator.paginate(StreamARN=stream_arn, PaginationConfig={"PageSize": 2}).build_full_result()
    assert sorted(c["ConsumerName"] for c in everything["Consumers"]) == names

    with pytest.raises(ClientError) as both:
        kinesis.list_stream_consumers(StreamARN=stream_arn, NextToken=kinesis.list_stream_consumers(
            StreamARN=stream_arn, MaxResults=1)["NextToken"], StreamCreationTimestamp=_dt.datetime.now())
    assert error_of(both)[0] == "InvalidArgumentException"
    kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)


def test_consumers_block_delete_stream_unless_enforced(kinesis, new_stream, account):
    name = new_stream()
    stream_arn = arn_of(kinesis, name)
    kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")

    with pytest.raises(ClientError) as refused:
        kinesis.delete_stream(StreamName=name)
    code, message = error_of(refused)
    assert code == "ResourceInUseException"
    assert message == (
        f"DeleteStream can\u2019t delete {account}:{name} because there are consumers associated with this "
        f"data stream. To delete {name} anyway, set the EnforceConsumerDeletion parameter to true to force "
        "the deletion of all the consumers that are associated with it.")
    with pytest.raises(ClientError) as refused_false:
        kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=False)
    assert error_of(refused_false)[0] == "ResourceInUseException"
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE"

    kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
    e2e.wait_gone(kinesis, name)
    # A new stream of that name has no consumers.
    e2e.create_stream(kinesis, name, 1)
    assert kinesis.list_stream_consumers(StreamARN=arn_of(kinesis, name))["Consumers"] == []


def test_consumers_tags_and_policies_on_a_consumer_arn(kinesis, new_stream):
    name = new_stream()
    stream_arn = arn_of(kinesis, name)
    arn = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="tagged",
                                           Tags={"team": "data"})["Consumer"]["ConsumerARN"]
    wait_consumer_active(kinesis, arn)
    kinesis.tag_resource(ResourceARN=arn, Tags={"env": "test", "tmp": "x"})
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["tmp"])
    tags = kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"]
    assert tags == [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "data"}]
    assert kinesis.list_tags_for_stream(StreamName=name)["Tags"] == []

    policy = '{"Version":"2012-10-17","Statement":[]}'
    kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == policy
    kinesis.deregister_stream_consumer(StreamARN=stream_arn, ConsumerName="tagged")
    with pytest.raises(ClientError) as missing:
        kinesis.list_tags_for_resource(ResourceARN=arn)
    assert error_of(missing)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as no_policy:
        kinesis.get_resource_policy(ResourceARN=arn)
    assert error_of(no_policy)[0] == "ResourceNotFoundException"


def test_consumers_list_with_the_aws_cli(endpoint, kinesis, new_stream):
    name = new_stream()
    stream_arn = arn_of(kinesis, name)
    arn = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="cli")["Consumer"]["ConsumerARN"]
    out, _ = e2e.aws_cli(endpoint.url, "list-stream-consumers", "--stream-arn", stream_arn)
    assert [c["ConsumerARN"] for c in out["Consumers"]] == [arn]
    assert out["Consumers"][0]["ConsumerName"] == "cli"
    kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)


def test_consumers_survive_a_restart(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "kept", 1)
    stream_arn = arn_of(kinesis, "kept")
    first = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="one",
                                             Tags={"k": "v"})["Consumer"]
    second = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="two")["Consumer"]
    assert server.stop() == 0
    server.restart()
    kinesis = e2e.client(server.endpoint)
    listed = kinesis.list_stream_consumers(StreamARN=stream_arn)["Consumers"]
    assert sorted((c["ConsumerName"], c["ConsumerARN"], c["ConsumerStatus"]) for c in listed) == [
        ("one", first["ConsumerARN"], "ACTIVE"),
        ("two", second["ConsumerARN"], "ACTIVE"),
    ]
    described = kinesis.describe_stream_consumer(ConsumerARN=first["ConsumerARN"])["ConsumerDescription"]
    assert described["ConsumerCreationTimestamp"] == first["ConsumerCreationTimestamp"]
    assert kinesis.list_tags_for_resource(ResourceARN=first["ConsumerARN"])["Tags"] == [{"Key": "k", "Value": "v"}]
    assert kinesis.describe_stream_summary(StreamName="kept")["StreamDescriptionSummary"]["ConsumerCount"] == 2
