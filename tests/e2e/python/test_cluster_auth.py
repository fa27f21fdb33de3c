"""Cluster mode under `--auth`: the nodes sign their calls to each other with the cluster's peer
key (docs/cluster.md, "Peer authentication"), so replication, a PutRecords split across leaders,
forwarded reads and relayed subscriptions all work as the client's own account; a client with a
wrong secret is refused, and peer headers without the key are worth nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import time
import urllib.request

import pytest

import sluice_e2e as e2e
from cluster_e2e import SETTLE_S, start_nodes, stream_in_sync
from test_auth import CREDENTIALS, error_of, signed_client
from test_cluster_data import leaders, read_through
from test_cluster_subscribe import events_until, records_of

TEAM_ACCOUNT = "123456789012"  # the [team] profile's account in CREDENTIALS


@pytest.fixture
def auth_cluster(etcd, spawn, tmp_path):
    """Three nodes under --auth; a client of the [team] profile (a non-default account) per node."""
    path = tmp_path / "credentials"
    path.write_text(CREDENTIALS)
    servers = start_nodes(etcd, spawn, "--auth", str(path))
    clients = {node: signed_client(s.endpoint, "AKIDTEAM", "team-secret") for node, s in servers.items()}
    return servers, clients


def peer_key(etcd) -> bytes:
    """The cluster's peer key, read from etcd's JSON gateway."""
    key = base64.b64encode(b"/sluice/v1/cluster/peer-key").decode()
    request = urllib.request.Request(f"http://{etcd.endpoint}/v3/kv/range", data=json.dumps({"key": key}).encode(),
                                     method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        kvs = json.load(answer).get("kvs", [])
    assert kvs, "the first node created the peer key"
    return base64.b64decode(kvs[0]["value"])


def peer_signed_list_streams(endpoint: str, key: bytes, account: str) -> e2e.RawResponse:
    """ListStreams with no SigV4, only peer headers signed with `key` as docs/cluster-protocol.md
    describes them, acting as `account`."""
    body = b"{}"
    now_ms = str(int(time.time() * 1000))
    to_sign = "\n".join(["SLUICE-PEER-HMAC-SHA256", "POST", "/", "Kinesis_20131202.ListStreams", now_ms,
                         "forger", account, e2e.REGION, hashlib.sha256(body).hexdigest()])
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "Kinesis_20131202.ListStreams",
        "x-sluice-peer-node": "forger",
        "x-sluice-peer-time": now_ms,
        "x-sluice-peer-account": account,
        "x-sluice-peer-region": e2e.REGION,
        "x-sluice-peer-signature": hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(),
    }
    host, port = endpoint.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        resp = conn.getresponse()
        return e2e.RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def test_replication_and_a_put_records_across_every_leader_work_under_auth_as_the_clients_account(
        etcd, auth_cluster):
    _, clients = auth_cluster
    # Three in-sync replicas per shard: the followers' fetches are admitted.
    name, starts = stream_in_sync(etcd, clients, "auth", shards=6)
    assert set(leaders(etcd, name).values()) == {"n1", "n2", "n3"}
    arn = clients["n1"].describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    assert e2e.account_of(arn) == TEAM_ACCOUNT

    shards = sorted(starts)
    entries = [(shard, f"{n}/{shard}".encode()) for n in range(2) for shard in shards]
    out = clients["n1"].put_records(StreamName=name, Records=[
        {"PartitionKey": "k", "ExplicitHashKey": starts[shard], "Data": data} for shard, data in entries])
    assert out["FailedRecordCount"] == 0, out["Records"]
    written = {shard: [] for shard in shards}
    for (shard, data), result in zip(entries, out["Records"]):
        assert result["ShardId"] == shard
        written[shard].append((result["SequenceNumber"], data))
    for shard in shards:
        # The iterator taken through one node and read through another: forwarded, signed, reads.
        assert read_through(clients["n2"], clients["n3"], name, shard) == written[shard], shard


def test_a_subscription_through_a_node_that_does_not_lead_the_shard_is_relayed_under_auth(etcd, auth_cluster):
    _, clients = auth_cluster
    name, starts = stream_in_sync(etcd, clients, "authsub", shards=3)
    shard, leader = sorted(leaders(etcd, name).items())[0]
    other = next(node for node in sorted(clients) if node != leader)
    arn = clients[leader].describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    consumer = e2e.register_consumer(clients[leader], arn, e2e.unique_name("relay"))
    sub = e2e.Subscription(clients[other], consumer, shard, {"Type": "TRIM_HORIZON"})
    acked = []
    for node in sorted(clients):
        data = node.encode()
        acked.append((clients[node].put_record(StreamName=name, PartitionKey="k", ExplicitHashKey=starts[shard],
                                               Data=data)["SequenceNumber"], data))
    assert records_of(events_until(sub, len(acked), timeout=20)) == acked
    sub.close()


def test_a_client_with_a_wrong_secret_is_refused_through_every_node(auth_cluster):
    servers, _ = auth_cluster
    for server in servers.values():
        wrong = signed_client(server.endpoint, "AKIDTEAM", "not-the-team-secret")
        code, message = error_of(lambda: wrong.list_streams())
        assert code == "InvalidSignatureException", message
        assert "signature we calculated does not match" in message


def test_peer_headers_are_admitted_only_when_signed_with_the_clusters_key(etcd, auth_cluster):
    servers, clients = auth_cluster
    name, _ = stream_in_sync(etcd, clients, "authpeer", shards=1)
    endpoint = servers["n2"].endpoint

    forged = peer_signed_list_streams(endpoint, b"\x00" * 32, TEAM_ACCOUNT)
    assert forged.status == 400, forged.body
    assert forged.error_type == "MissingAuthenticationTokenException", forged.body

    signed = peer_signed_list_streams(endpoint, peer_key(etcd), TEAM_ACCOUNT)
    assert signed.status == 200, signed.body
    assert name in signed.json["StreamNames"], "admitted as the account the signature names"

    # A client's own headers claiming a peer's account do not change whose call it is.
    def claim_the_team_account(request, **_):
        for name, value in (("x-sluice-peer-node", "n1"), ("x-sluice-peer-time", str(int(time.time() * 1000))),
                            ("x-sluice-peer-account", TEAM_ACCOUNT), ("x-sluice-peer-signature", "0" * 64)):
            request.headers[name] = value

    default = signed_client(endpoint, "AKIDDEFAULT", "default-secret")
    default.meta.events.register("before-sign.kinesis.ListStreams", claim_the_team_account)
    assert name not in default.list_streams()["StreamNames"], "the default account's streams, not the team's"
