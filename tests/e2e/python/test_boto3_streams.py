"""Stream lifecycle and listing through boto3: create, describe, list (with paging), delete."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import sluice_e2e as e2e
from sluice_e2e import HASH_SPACE, requires_sluice


def shard_index(shard_id: str) -> int:
    m = re.fullmatch(r"shardId-(\d{12})", shard_id)
    assert m, shard_id
    return int(m.group(1))


def test_lifecycle_create_describe_delete(kinesis, account):
    name = e2e.unique_name("life")
    before = e2e.now_utc()
    kinesis.create_stream(StreamName=name, ShardCount=3)
    summary = e2e.wait_active(kinesis, name)
    assert summary["StreamName"] == name
    assert summary["StreamARN"] == f"arn:aws:kinesis:us-east-1:{account}:stream/{name}"
    assert summary["OpenShardCount"] == 3
    assert summary["RetentionPeriodHours"] == 24

    d = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert d["StreamName"] == name
    assert d["StreamARN"] == summary["StreamARN"]
    assert d["StreamStatus"] == "ACTIVE"
    assert d["HasMoreShards"] is False
    assert d["RetentionPeriodHours"] == 24
    created = d["StreamCreationTimestamp"]
    assert before - dt.timedelta(seconds=5) <= created <= e2e.now_utc() + dt.timedelta(seconds=5)
    assert [s["ShardId"] for s in d["Shards"]] == [f"shardId-{i:012d}" for i in range(3)]
    for s in d["Shards"]:
        start = s["SequenceNumberRange"]["StartingSequenceNumber"]
        assert re.fullmatch(r"\d{56}", start), start
        assert "EndingSequenceNumber" not in s["SequenceNumberRange"]
        assert "ParentShardId" not in s

    assert name in list_all_stream_names(kinesis)

    kinesis.delete_stream(StreamName=name)
    e2e.wait_gone(kinesis, name)
    assert name not in list_all_stream_names(kinesis)
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException) as ei:
        kinesis.describe_stream(StreamName=name)
    assert ei.value.response["Error"]["Message"] == f"Stream {name} under account {account} not found."
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"x")
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.list_shards(StreamName=name)
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.delete_stream(StreamName=name)


def test_recreate_after_delete_starts_empty(kinesis):
    name = e2e.unique_name("recreate")
    e2e.create_stream(kinesis, name, 1)
    kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"old")
    kinesis.delete_stream(StreamName=name)
    e2e.wait_gone(kinesis, name)
    e2e.create_stream(kinesis, name, 1)
    try:
        assert e2e.read_shard(kinesis, name, "shardId-000000000000") == []
    finally:
        kinesis.delete_stream(StreamName=name)


def test_duplicate_create_is_resource_in_use(kinesis, new_stream, account):
    name = new_stream(1)
    with pytest.raises(kinesis.exceptions.ResourceInUseException) as ei:
        kinesis.create_stream(StreamName=name, ShardCount=2)
    assert ei.value.response["Error"]["Message"] == f"Stream {name} under account {account} already exists."
    # The original is untouched.
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"] == 1


@pytest.mark.parametrize("count", [1, 2, 3, 5, 7, 16])
def test_hash_ranges_tile_the_key_space(kinesis, new_stream, count):
    name = new_stream(count)
    shards = e2e.all_shards(kinesis, name)
    assert len(shards) == count
    ranges = sorted((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
                    for s in shards)
    assert ranges[0][0] == 0
    assert ranges[-1][1] == HASH_SPACE - 1
    for (s0, e0), (s1, _) in zip(ranges, ranges[1:]):
        assert s1 == e0 + 1, "gap or overlap between shards"
    for s, e in ranges:
        assert s <= e
    # Even split, as the service does it: width floor(2^128 / N), the last shard takes the rest.
    w = HASH_SPACE // count
    assert ranges == [(i * w, (i + 1) * w - 1 if i < count - 1 else HASH_SPACE - 1) for i in range(count)]


def list_all_stream_names(kinesis, limit=None) -> list:
    names, start = [], None
    for _ in range(10000):
        kw = {}
        if limit:
            kw["Limit"] = limit
        if start:
            kw["ExclusiveStartStreamName"] = start
        r = kinesis.list_streams(**kw)
        if limit:
            assert len(r["StreamNames"]) <= limit
        names += r["StreamNames"]
        if not r["HasMoreStreams"]:
            return names
        assert r["StreamNames"], "HasMoreStreams with an empty page"
        start = r["StreamNames"][-1]
    raise AssertionError("ListStreams paging did not end")


def test_list_streams_paging_exclusive_start(kinesis, new_stream):
    mine = sorted(new_stream(1, prefix="lsx") for _ in range(5))
    names = list_all_stream_names(kinesis, limit=2)
    assert len(names) == len(set(names)), "a stream was listed twice"
    assert names == sorted(names), "ListStreams is not in name order"
    assert [n for n in names if n in mine] == mine
    # Starting after the second of ours skips the first two.
    r = kinesis.list_streams(ExclusiveStartStreamName=mine[1], Limit=3)
    assert r["StreamNames"], "nothing listed after an existing stream name"
    assert all(n > mine[1] for n in r["StreamNames"]), r["StreamNames"]


@requires_sluice("ListStreams NextToken and StreamSummaries (2022 API)")
def test_list_streams_next_token_and_summaries(kinesis, new_stream, account):
    mine = sorted(new_stream(1, prefix="lst") for _ in range(5))
    names, summaries, token = [], [], None
    for _ in range(10000):
        r = kinesis.list_streams(Limit=2, NextToken=token) if token else kinesis.list_streams(Limit=2)
        assert len(r["StreamNames"]) <= 2
        names += r["StreamNames"]
        summaries += r.get("StreamSummaries", [])
        assert [s["StreamName"] for s in r.get("StreamSummaries", [])] == r["StreamNames"]
        if not r["HasMoreStreams"]:
            assert not r.get("NextToken")
            break
        token = r["NextToken"]
        assert token
    else:
        raise AssertionError("ListStreams NextToken paging did not end")
    assert len(names) == len(set(names))
    assert [n for n in names if n in mine] == mine
    by_name = {s["StreamName"]: s for s in summaries}
    for n in mine:
        assert by_name[n]["StreamARN"] == f"arn:aws:kinesis:us-east-1:{account}:stream/{n}"
        assert by_name[n]["StreamStatus"] == "ACTIVE"
        assert by_name[n]["StreamModeDetails"]["StreamMode"] == "PROVISIONED"


@requires_sluice("DescribeStream Limit/ExclusiveStartShardId paging")
def test_describe_stream_paging(kinesis, new_stream):
    name = new_stream(5)
    d = kinesis.describe_stream(StreamName=name, Limit=2)["StreamDescription"]
    assert [s["ShardId"] for s in d["Shards"]] == ["shardId-000000000000", "shardId-000000000001"]
    assert d["HasMoreShards"] is True
    d = kinesis.describe_stream(StreamName=name, Limit=2,
                                ExclusiveStartShardId="shardId-000000000001")["StreamDescription"]
    assert [s["ShardId"] for s in d["Shards"]] == ["shardId-000000000002", "shardId-000000000003"]
    assert d["HasMoreShards"] is True
    d = kinesis.describe_stream(StreamName=name, Limit=2,
                                ExclusiveStartShardId="shardId-000000000003")["StreamDescription"]
    assert [s["ShardId"] for s in d["Shards"]] == ["shardId-000000000004"]
    assert d["HasMoreShards"] is False
    # The botocore paginator walks the same pages.
    pages = kinesis.get_paginator("describe_stream").paginate(StreamName=name, PaginationConfig={"PageSize": 2})
    ids = [s["ShardId"] for p in pages for s in p["StreamDescription"]["Shards"]]
    assert ids == [f"shardId-{i:012d}" for i in range(5)]


def test_list_shards_matches_describe(kinesis, new_stream):
    name = new_stream(4)
    described = e2e.all_shards(kinesis, name)
    listed = kinesis.list_shards(StreamName=name)["Shards"]
    assert listed == described
    after = kinesis.list_shards(StreamName=name, ExclusiveStartShardId="shardId-000000000001")["Shards"]
    assert [s["ShardId"] for s in after] == ["shardId-000000000002", "shardId-000000000003"]


@requires_sluice("ListShards MaxResults/NextToken paging")
def test_list_shards_paging(kinesis, new_stream):
    name = new_stream(7)
    r = kinesis.list_shards(StreamName=name, MaxResults=3)
    ids = [s["ShardId"] for s in r["Shards"]]
    assert ids == [f"shardId-{i:012d}" for i in range(3)]
    token = r["NextToken"]
    for _ in range(10):
        r = kinesis.list_shards(NextToken=token, MaxResults=3)
        assert len(r["Shards"]) <= 3
        ids += [s["ShardId"] for s in r["Shards"]]
        token = r.get("NextToken")
        if not token:
            break
    assert ids == [f"shardId-{i:012d}" for i in range(7)]
    # (botocore's list_shards paginator resends StreamName with NextToken, which the service
    # rejects, so it is not used here.)


@requires_sluice("ListShards ShardFilter")
def test_list_shards_filters(kinesis, new_stream):
    name = new_stream(4)
    every = [f"shardId-{i:012d}" for i in range(4)]

    def ids(**flt):
        return [s["ShardId"] for s in kinesis.list_shards(StreamName=name, ShardFilter=flt)["Shards"]]

    # No resharding has happened: every shard is open and within retention.
    assert ids(Type="AT_LATEST") == every
    assert ids(Type="FROM_TRIM_HORIZON") == every
    assert ids(Type="AT_TRIM_HORIZON") == every
    assert ids(Type="AFTER_SHARD_ID", ShardId="shardId-000000000001") == every[2:]
    assert ids(Type="AFTER_SHARD_ID", ShardId="shardId-000000000003") == []
    # The filter is carried inside the NextToken.
    r = kinesis.list_shards(StreamName=name, MaxResults=1,
                            ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000001"})
    assert [s["ShardId"] for s in r["Shards"]] == every[2:3]
    r = kinesis.list_shards(NextToken=r["NextToken"], MaxResults=5)
    assert [s["ShardId"] for s in r["Shards"]] == every[3:]


@requires_sluice("StreamARN addressing (2022 API)")
def test_stream_arn_addressing(kinesis, account):
    name = e2e.unique_name("arn")
    e2e.create_stream(kinesis, name, 2)
    arn = f"arn:aws:kinesis:us-east-1:{account}:stream/{name}"
    s = kinesis.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]
    assert s["StreamName"] == name and s["StreamARN"] == arn
    assert kinesis.describe_stream(StreamARN=arn)["StreamDescription"]["StreamName"] == name
    assert len(kinesis.list_shards(StreamARN=arn)["Shards"]) == 2
    put = kinesis.put_record(StreamARN=arn, PartitionKey="p", Data=b"by-arn",
                             ExplicitHashKey="0")
    assert put["ShardId"] == "shardId-000000000000"
    batch = kinesis.put_records(StreamARN=arn, Records=[{"PartitionKey": "p", "Data": b"batch",
                                                         "ExplicitHashKey": "0"}])
    assert batch["FailedRecordCount"] == 0
    it = kinesis.get_shard_iterator(StreamARN=arn, ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    recs = kinesis.get_records(ShardIterator=it, StreamARN=arn)["Records"]
    assert [r["Data"] for r in recs] == [b"by-arn", b"batch"]
    # Name and ARN together must agree.
    kinesis.describe_stream_summary(StreamName=name, StreamARN=arn)
    kinesis.delete_stream(StreamARN=arn)
    e2e.wait_gone(kinesis, name)
    with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
        kinesis.describe_stream_summary(StreamARN=arn)
