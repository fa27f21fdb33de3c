"""Resharding with the AWS CLI: split-shard, merge-shards, update-shard-count, list-shards with a
shard filter, describe-stream-summary."""

from __future__ import annotations

import sluice_e2e as e2e
from sluice_e2e import HASH_SPACE, requires_sluice

MID = HASH_SPACE // 2


def sid(i: int) -> str:
    return f"shardId-{i:012d}"


def open_count(url: str, name: str) -> int:
    out, _ = e2e.aws_cli(url, "describe-stream-summary", "--stream-name", name)
    s = out["StreamDescriptionSummary"]
    assert s["StreamStatus"] == "ACTIVE"
    return s["OpenShardCount"]


def latest(url: str, name: str) -> list:
    out, _ = e2e.aws_cli(url, "list-shards", "--stream-name", name, "--shard-filter", "Type=AT_LATEST")
    assert "NextToken" not in out
    return out["Shards"]


@requires_sluice("UpdateShardCount, ListShards ShardFilter")
def test_resharding_with_the_aws_cli(endpoint):
    url = endpoint.url
    name = e2e.unique_name("cli-reshard")
    e2e.aws_cli(url, "create-stream", "--stream-name", name, "--shard-count", "2")
    e2e.aws_cli(url, "wait", "stream-exists", "--stream-name", name)
    try:
        out, _ = e2e.aws_cli(url, "split-shard", "--stream-name", name, "--shard-to-split", sid(0),
                             "--new-starting-hash-key", str(MID // 2))
        assert out is None  # SplitShard has no output
        shards = latest(url, name)
        assert [s["ShardId"] for s in shards] == [sid(1), sid(2), sid(3)]
        e2e.assert_open_coverage(shards)
        assert open_count(url, name) == 3

        out, _ = e2e.aws_cli(url, "merge-shards", "--stream-name", name, "--shard-to-merge", sid(2),
                             "--adjacent-shard-to-merge", sid(3))
        assert out is None
        shards = latest(url, name)
        assert [s["ShardId"] for s in shards] == [sid(1), sid(4)]
        assert shards[1]["ParentShardId"] == sid(2) and shards[1]["AdjacentParentShardId"] == sid(3)
        assert open_count(url, name) == 2

        out, _ = e2e.aws_cli(url, "update-shard-count", "--stream-name", name, "--target-shard-count", "4",
                             "--scaling-type", "UNIFORM_SCALING")
        assert out["StreamName"] == name
        assert out["StreamARN"].endswith(f":stream/{name}")
        assert (out["CurrentShardCount"], out["TargetShardCount"]) == (2, 4)
        e2e.aws_cli(url, "wait", "stream-exists", "--stream-name", name)  # waits for ACTIVE
        shards = latest(url, name)
        assert e2e.assert_open_coverage(shards) == e2e.uniform_ranges(4)
        assert open_count(url, name) == 4

        # Without a filter: every generation, the closed ones with an ending sequence number.
        out, _ = e2e.aws_cli(url, "list-shards", "--stream-name", name)
        every = out["Shards"]
        assert len(every) > 4
        assert sum(1 for s in every if e2e.is_open(s)) == 4
        e2e.assert_lineage(every, {sid(0), sid(1)})

        _, res = e2e.aws_cli(url, "split-shard", "--stream-name", name, "--shard-to-split", sid(0),
                             "--new-starting-hash-key", "1000", check=False)
        assert res.returncode != 0
        assert b"InvalidArgumentException" in res.stderr
        assert b"has already been merged or split" in res.stderr
    finally:
        e2e.aws_cli(url, "delete-stream", "--stream-name", name, check=False)
