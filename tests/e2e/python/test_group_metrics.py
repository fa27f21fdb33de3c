"""A consumer group as an operator sees it: its families on /metrics and the console's
/console/api/groups, while a `sluice tail --group` member reads."""

from __future__ import annotations

import json
import re
import urllib.request

import sluice_e2e as e2e
from test_group_clients import members, put, tail_data, tail_group  # noqa: F401

pytestmark = e2e.requires_sluice("consumer groups are a Sluice extension")


def console_groups(endpoint: str) -> dict:
    with urllib.request.urlopen(endpoint + "/console/api/groups", timeout=5) as answer:
        assert answer.headers["Content-Type"].startswith("application/json")
        return json.loads(answer.read())


def group_samples(endpoint: str, family: str, stream: str) -> dict:
    """{labels: value} of the family's samples for `stream`."""
    pattern = rf'^{family}{{(stream="{re.escape(stream)}",[^}}]*)}} (\d+)$'
    return {m.group(1): int(m.group(2)) for m in re.finditer(pattern, e2e.metrics_text(endpoint), re.M)}


def test_metrics_and_the_console_show_a_groups_members_and_its_lag_per_shard(endpoint, kinesis, new_stream, members):
    stream = new_stream(2)
    member = members(tail_group(endpoint.url, stream, "watched"))
    e2e.wait_until(lambda: member.shards_read() == 2, 15, f"the member to read 2 shards; {member.stderr()!r}")
    sent = put(kinesis, stream, 0, 40)
    e2e.wait_until(lambda: set(tail_data(member)) >= sent, 15, "the member to print every record")

    members_now = group_samples(endpoint.url, "sluice_group_members", stream)
    assert list(members_now.values()) == [1] and 'group="watched"' in next(iter(members_now))
    assert list(group_samples(endpoint.url, "sluice_group_rebalances_total", stream).values())[0] >= 1
    assert group_samples(endpoint.url, "sluice_group_records_behind", stream) == {}, "no lag series without monitoring"

    kinesis.enable_enhanced_monitoring(StreamName=stream, ShardLevelMetrics=["IteratorAgeMilliseconds"])
    e2e.wait_until(lambda: sum(group_samples(endpoint.url, "sluice_group_records_behind", stream).values()) == 0
                   and len(group_samples(endpoint.url, "sluice_group_records_behind", stream)) == 2, 15,
                   "a records-behind series per shard, at 0 once checkpointed")

    described = [s for s in console_groups(endpoint.url)["streams"] if s["name"] == stream]
    assert len(described) == 1 and [g["name"] for g in described[0]["groups"]] == ["watched"]
    group = described[0]["groups"][0]
    assert len(group["members"]) == 1 and len(group["members"][0]["assignment"]) == 2
    member_id = group["members"][0]["member_id"]
    assert {s["owner"] for s in group["shards"]} == {member_id}
    assert all(s["sequence_number"] and s["records_behind"] == 0 for s in group["shards"]), group["shards"]
