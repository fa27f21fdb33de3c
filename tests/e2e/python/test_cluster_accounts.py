"""Account settings and resource policies in cluster mode: one state for the whole cluster, kept
in etcd. A change through any node is read through every other at once; a stream deleted through
one node takes its policies for everyone; a node killed with -9 takes nothing with it."""

from __future__ import annotations

import base64
import concurrent.futures
import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

import sluice_e2e as e2e
from cluster_e2e import SETTLE_S, start_nodes
from test_cluster_membership import nodes_by_id

POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                   "Action": ["kinesis:GetRecords"], "Resource": "*"}],
})
ACCOUNTS_KEY = "/sluice/v1/accounts/document"


def commitment(kinesis) -> dict:
    return kinesis.describe_account_settings()["MinimumThroughputBillingCommitment"]


def arn_of(kinesis, name: str) -> str:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def etcd_value(etcd, key: str) -> bytes:
    """The key's value as etcd holds it (b"" when absent), through etcd's JSON gateway."""
    body = json.dumps({"key": base64.b64encode(key.encode()).decode()}).encode()
    with urllib.request.urlopen(f"http://{etcd.endpoint}/v3/kv/range", body, timeout=5) as answer:
        kvs = json.load(answer).get("kvs", [])
    return base64.b64decode(kvs[0]["value"]) if kvs else b""


def error_code(call, **kw) -> str:
    with pytest.raises(ClientError) as err:
        call(**kw)
    return err.value.response["Error"]["Code"]


def test_settings_and_policies_are_one_state_through_every_node_and_outlive_a_kill9(etcd, spawn):
    servers = start_nodes(etcd, spawn)
    k = {node: e2e.client(s.endpoint) for node, s in servers.items()}

    on = k["n1"].update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})[
        "MinimumThroughputBillingCommitment"]
    assert on["Status"] == "ENABLED"
    # Read at once, with no wait: a read fetches the current document.
    assert commitment(k["n2"]) == on
    assert commitment(k["n3"]) == on

    name = e2e.unique_name("acct")
    k["n1"].create_stream(StreamName=name, ShardCount=1)
    for client in k.values():
        e2e.wait_active(client, name, timeout=SETTLE_S)
    arn = arn_of(k["n1"], name)
    k["n2"].put_resource_policy(ResourceARN=arn, Policy=POLICY)
    assert k["n1"].get_resource_policy(ResourceARN=arn)["Policy"] == POLICY
    assert k["n3"].get_resource_policy(ResourceARN=arn)["Policy"] == POLICY

    servers["n1"].kill9()
    assert commitment(k["n2"]) == on
    assert commitment(k["n3"]) == on
    assert k["n3"].get_resource_policy(ResourceARN=arn)["Policy"] == POLICY
    # The killed node holds no copy of its own: back, it reads the cluster's.
    e2e.wait_until(lambda: not nodes_by_id(etcd)["n1"]["alive"], SETTLE_S, "n1 seen down")
    servers["n1"].restart()
    k["n1"] = e2e.client(servers["n1"].endpoint)
    assert commitment(k["n1"]) == on
    assert k["n1"].get_resource_policy(ResourceARN=arn)["Policy"] == POLICY

    k["n3"].delete_stream(StreamName=name)
    for client in k.values():
        e2e.wait_gone(client, name, timeout=SETTLE_S)
    for client in k.values():
        assert error_code(client.get_resource_policy, ResourceARN=arn) == "ResourceNotFoundException"
    e2e.wait_until(lambda: arn.encode() not in etcd_value(etcd, ACCOUNTS_KEY), SETTLE_S,
                   "the deleted stream's policy gone from the cluster's document")
    for client in k.values():
        assert commitment(client) == on  # the settings stay


def test_policies_put_through_two_nodes_at_once_are_both_kept(etcd, spawn):
    servers = start_nodes(etcd, spawn)
    k = {node: e2e.client(s.endpoint) for node, s in servers.items()}
    names = [e2e.unique_name("pol") for _ in range(6)]
    for name in names:
        k["n1"].create_stream(StreamName=name, ShardCount=1)
    for client in k.values():
        for name in names:
            e2e.wait_active(client, name, timeout=SETTLE_S)
    arns = [arn_of(k["n1"], name) for name in names]
    # Through three nodes at once, each change made on whatever copy its node holds: none
    # overwrites another.
    def put(i: int):
        k[f"n{i % 3 + 1}"].put_resource_policy(ResourceARN=arns[i], Policy=POLICY.replace("GetRecords", f"G{i}"))

    with concurrent.futures.ThreadPoolExecutor(len(arns)) as pool:
        list(pool.map(put, range(len(arns))))
    for client in k.values():
        for i, arn in enumerate(arns):
            assert f"G{i}" in client.get_resource_policy(ResourceARN=arn)["Policy"]
