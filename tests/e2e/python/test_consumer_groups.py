"""Consumer groups (docs/consumer-groups.md) over the wire: Sluice_20261207.* calls signed with
botocore's SigV4Auth, against real server processes."""

import json
import time

import botocore.auth
import botocore.awsrequest
import botocore.credentials

import sluice_e2e as e2e

TARGET = "Sluice_20261207."


class GroupError(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(f"{status} {body}")
        self.status = status
        self.type = body.get("__type", "")
        self.message = body.get("message", "")


def call(endpoint: str, operation: str, **body) -> dict:
    """One consumer group call, signed for "kinesis"; raises GroupError for an error answer."""
    data = json.dumps(body).encode()
    req = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + "/", data=data, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + operation})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials("AKIDEXAMPLE", "secret"), "kinesis",
                            e2e.REGION).add_auth(req)
    r = e2e.raw_call(endpoint, operation, data, extra_headers=dict(req.headers.items()))
    if r.status != 200:
        raise GroupError(r.status, r.json)
    assert r.headers["content-type"].startswith("application/x-amz-json-1.1")
    return r.json


def expect_error(error_type: str, endpoint: str, operation: str, **body) -> GroupError:
    try:
        call(endpoint, operation, **body)
    except GroupError as e:
        assert e.type == error_type, e
        assert e.status == 400
        return e
    raise AssertionError(f"{operation} {body} succeeded, expected {error_type}")


def shard_ids(answer: dict) -> list:
    return sorted(a["ShardId"] for a in answer["Assignment"])


def settle(endpoint: str, stream: str, group: str, members: list) -> dict:
    """Heartbeats every member until the group is STABLE; returns each member's shards."""
    def stable():
        for m in members:
            call(endpoint, "Heartbeat", StreamName=stream, GroupName=group, MemberId=m)
        d = call(endpoint, "DescribeGroup", StreamName=stream, GroupName=group)["Group"]
        return d if d["State"] == "STABLE" else None
    e2e.wait_until(stable, 10, "the group to settle")
    return {m: shard_ids(call(endpoint, "Heartbeat", StreamName=stream, GroupName=group, MemberId=m))
            for m in members}


def test_join_heartbeat_leave(endpoint, new_stream):
    ep = endpoint.url
    stream = new_stream(2)
    joined = call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m1")
    assert joined["GroupName"] == "g" and joined["MemberId"] == "m1"
    assert joined["SessionTimeoutMillis"] == 10000 and joined["HeartbeatIntervalMillis"] == 3333
    assert shard_ids(joined) == ["shardId-000000000000", "shardId-000000000001"]
    assert joined["Assignment"][0]["StartingPosition"] == {"Type": "TRIM_HORIZON"}
    beat = call(ep, "Heartbeat", StreamName=stream, GroupName="g", MemberId="m1")
    assert beat["Generation"] == joined["Generation"] and beat["RebalanceNeeded"] is False
    generated = call(ep, "JoinGroup", StreamName=stream, GroupName="g")["MemberId"]
    assert generated
    call(ep, "LeaveGroup", StreamName=stream, GroupName="g", MemberId=generated)
    expect_error("UnknownMemberException", ep, "Heartbeat", StreamName=stream, GroupName="g", MemberId=generated)
    assert call(ep, "LeaveGroup", StreamName=stream, GroupName="g", MemberId="m1") == {}
    expect_error("ResourceNotFoundException", ep, "Heartbeat", StreamName=stream, GroupName="nope", MemberId="m1")
    expect_error("ResourceNotFoundException", ep, "JoinGroup", StreamName="no-such-stream", GroupName="g")


def test_three_members_are_balanced(endpoint, new_stream):
    ep = endpoint.url
    stream = new_stream(7)
    for m in ("a", "b", "c"):
        call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId=m)
    shards = settle(ep, stream, "g", ["a", "b", "c"])
    assert sorted(len(s) for s in shards.values()) == [2, 2, 3]
    assert sorted(sum(shards.values(), [])) == [f"shardId-{i:012d}" for i in range(7)]
    listed = call(ep, "ListGroups", StreamName=stream)["Groups"]
    assert listed == [{"GroupName": "g", "Generation": listed[0]["Generation"], "State": "STABLE", "MemberCount": 3}]


def test_a_silent_member_loses_its_shards_within_its_session_timeout(endpoint, new_stream):
    ep = endpoint.url
    stream = new_stream(4)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="quiet", SessionTimeoutMillis=1000)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="busy", SessionTimeoutMillis=10000)
    assert len(settle(ep, stream, "g", ["quiet", "busy"])["busy"]) == 2
    started = time.monotonic()
    e2e.wait_until(lambda: len(shard_ids(call(ep, "Heartbeat", StreamName=stream, GroupName="g",
                                                MemberId="busy"))) == 4, 5, "busy to get every shard")
    assert time.monotonic() - started < 3.0
    expect_error("UnknownMemberException", ep, "Heartbeat", StreamName=stream, GroupName="g", MemberId="quiet")


def test_a_stale_members_checkpoint_is_fenced(endpoint, kinesis, new_stream):
    ep = endpoint.url
    stream = new_stream(1)
    seq = kinesis.put_record(StreamName=stream, Data=b"x", PartitionKey="k")["SequenceNumber"]
    a = call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="a", SessionTimeoutMillis=1000)
    assert shard_ids(a) == ["shardId-000000000000"]
    call(ep, "CheckpointGroup", StreamName=stream, GroupName="g", MemberId="a", Generation=a["Generation"],
         ShardId="shardId-000000000000", SequenceNumber=seq)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="b")
    # a stops heartbeating: once its session ends, b reads the shard and a is fenced.
    e2e.wait_until(lambda: shard_ids(call(ep, "Heartbeat", StreamName=stream, GroupName="g", MemberId="b")),
                   5, "b to get the shard")
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="a")
    e = expect_error("FencedMemberException", ep, "CheckpointGroup", StreamName=stream, GroupName="g",
                     MemberId="a", Generation=a["Generation"], ShardId="shardId-000000000000", SequenceNumber=seq)
    assert "does not own shard shardId-000000000000" in e.message
    b = call(ep, "Heartbeat", StreamName=stream, GroupName="g", MemberId="b")
    assert b["Assignment"] == [{"ShardId": "shardId-000000000000",
                                "StartingPosition": {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": seq}}]


def test_children_are_handed_out_after_their_parents_shard_end(endpoint, kinesis, new_stream):
    ep = endpoint.url
    stream = new_stream(2)
    last = {}
    for i in range(20):
        r = kinesis.put_record(StreamName=stream, Data=b"x", PartitionKey=f"k{i}")
        last[r["ShardId"]] = r["SequenceNumber"]
    kinesis.update_shard_count(StreamName=stream, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    e2e.wait_active(kinesis, stream)
    m = call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m")
    parents = shard_ids(m)
    assert parents == ["shardId-000000000000", "shardId-000000000001"]
    for shard in parents:
        e = expect_error("InvalidArgumentException", ep, "CheckpointGroup", StreamName=stream, GroupName="g",
                         MemberId="m", Generation=m["Generation"], ShardId=shard, SequenceNumber="1" + "0" * 55,
                         ShardEnd=True)
        assert shard in e.message
        call(ep, "CheckpointGroup", StreamName=stream, GroupName="g", MemberId="m", Generation=m["Generation"],
             ShardId=shard, SequenceNumber=last[shard], ShardEnd=True)
    after = call(ep, "Heartbeat", StreamName=stream, GroupName="g", MemberId="m")
    assert after["RebalanceNeeded"] is True and after["Generation"] > m["Generation"]
    children = shard_ids(after)
    assert len(children) == 4 and not set(children) & set(parents)
    checkpoints = call(ep, "GetGroupCheckpoints", StreamName=stream, GroupName="g")["Checkpoints"]
    assert [(c["ShardId"], c["ShardEnd"]) for c in checkpoints] == [(p, True) for p in parents]


def test_groups_and_checkpoints_survive_kill_9(spawn, tmp_path):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "orders", 1)
    seq = kinesis.put_record(StreamName="orders", Data=b"x", PartitionKey="k")["SequenceNumber"]
    m = call(server.endpoint, "JoinGroup", StreamName="orders", GroupName="billing", MemberId="m",
             InitialPosition="LATEST")
    call(server.endpoint, "CheckpointGroup", StreamName="orders", GroupName="billing", MemberId="m",
         Generation=m["Generation"], ShardId="shardId-000000000000", SequenceNumber=seq)
    server.kill9()
    server.start()
    ep = server.endpoint
    expect_error("UnknownMemberException", ep, "Heartbeat", StreamName="orders", GroupName="billing", MemberId="m")
    [c] = call(ep, "GetGroupCheckpoints", StreamName="orders", GroupName="billing")["Checkpoints"]
    assert (c["ShardId"], c["SequenceNumber"], c["ShardEnd"]) == ("shardId-000000000000", seq, False)
    group = call(ep, "DescribeGroup", StreamName="orders", GroupName="billing")["Group"]
    assert group["InitialPosition"] == "LATEST" and group["State"] == "EMPTY"
    again = call(ep, "JoinGroup", StreamName="orders", GroupName="billing", MemberId="m")
    assert again["Assignment"][0]["StartingPosition"] == {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": seq}


def test_validation_errors_name_the_member_and_constraint(endpoint, new_stream):
    ep = endpoint.url
    stream = new_stream(1)
    e = expect_error("ValidationException", ep, "JoinGroup", StreamName=stream, GroupName="bad name!")
    assert e.message == ("1 validation error detected: Value 'bad name!' at 'groupName' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
    e = expect_error("ValidationException", ep, "JoinGroup", StreamName=stream, GroupName="g",
                     SessionTimeoutMillis=999)
    assert e.message == ("1 validation error detected: Value '999' at 'sessionTimeoutMillis' failed to satisfy "
                         "constraint: Member must have value greater than or equal to 1000")
    e = expect_error("ValidationException", ep, "JoinGroup", StreamName=stream, GroupName="g",
                     SessionTimeoutMillis=300001, MemberId="x" * 129)
    assert e.message.startswith("2 validation errors detected: ")
    expect_error("ValidationException", ep, "Heartbeat", StreamName=stream, GroupName="g")
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m")
    expect_error("InvalidArgumentException", ep, "JoinGroup", StreamName=stream, GroupName="g",
                 InitialPosition="LATEST")


def test_delete_group_is_refused_with_members_and_works_without(endpoint, new_stream):
    ep = endpoint.url
    stream = new_stream(1)
    call(ep, "JoinGroup", StreamName=stream, GroupName="g", MemberId="m")
    expect_error("ResourceInUseException", ep, "DeleteGroup", StreamName=stream, GroupName="g")
    call(ep, "LeaveGroup", StreamName=stream, GroupName="g", MemberId="m")
    assert call(ep, "DeleteGroup", StreamName=stream, GroupName="g") == {}
    expect_error("ResourceNotFoundException", ep, "DescribeGroup", StreamName=stream, GroupName="g")
    assert call(ep, "ListGroups", StreamName=stream)["Groups"] == []


def test_list_groups_pages(endpoint, new_stream):
    ep = endpoint.url
    stream = new_stream(1)
    names = [f"group-{i}" for i in range(5)]
    for n in names:
        call(ep, "JoinGroup", StreamName=stream, GroupName=n)
    seen, token, pages = [], None, 0
    while True:
        body = {"StreamName": stream, "MaxResults": 2}
        if token:
            body["NextToken"] = token
        page = call(ep, "ListGroups", **body)
        pages += 1
        assert len(page["Groups"]) <= 2
        seen += [g["GroupName"] for g in page["Groups"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == names and pages == 3
