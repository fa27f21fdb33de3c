"""Cluster mode under a network partition: three nodes and etcd on a network of the test's own
(netns_lan.py), the leader of a shard cut off from its followers and from etcd while a client
inside its namespace still reaches it. The cut-off leader acknowledges nothing more (its followers
stop fetching and its in-sync set cannot shrink without etcd), the others elect a new leader and
take writes, and once the network heals the old leader follows, drops what it never committed,
and every node's log of the shard is the same."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import time

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

import sluice_e2e as e2e
from netns_lan import NetnsLan
from test_cluster_data import leaders, read_through
from test_cluster_failover import TTL_S, fully_in_sync
from test_cluster_membership import node_args

NODES = ["n1", "n2", "n3"]
SETTLE_S = 20.0
PUT_TIMEOUT_S = 1.5  # a put not answered in time is not acknowledged
# Well past the leader's replica lag limit (in `serve`, the session TTL), when it proposes to drop
# its followers from the in-sync set, and past the others' failover.
CUT_PUTS_S = 3.0 * TTL_S


@pytest.fixture
def lan():
    net = NetnsLan(NODES)
    yield net
    net.remove()


@pytest.fixture
def lan_etcd(lan, tmp_path):
    """etcd on the test's side of the network: a node cut off from the bridge is cut off from it."""
    server = e2e.EtcdServer(tmp_path, host=lan.host_address)
    yield server
    server.stop()


def put(kinesis, name: str, hash_key: str, data: bytes) -> dict:
    """{"data", "seq"} when acknowledged, else {"data", "error"}: the error code, "timed out" (sent,
    not answered in time), "closed" (the connection closed unanswered) or "unreachable"."""
    try:
        out = kinesis.put_record(StreamName=name, PartitionKey="k", ExplicitHashKey=hash_key, Data=data)
        return {"data": data.decode(), "seq": out["SequenceNumber"]}
    except ClientError as exc:
        error = exc.response["Error"]["Code"]
    except ReadTimeoutError:
        error = "timed out"
    except ConnectionClosedError:
        error = "closed"
    except EndpointConnectionError:
        error = "unreachable"
    return {"data": data.decode(), "error": error}


def put_for(endpoint: str, name: str, hash_key: str, seconds: float):
    """Puts one record after another for `seconds`, printing each outcome as a JSON line (run in
    the cut-off node's namespace, as `python3 this_file ENDPOINT NAME HASH_KEY SECONDS`)."""
    kinesis = e2e.client(endpoint, read_timeout=PUT_TIMEOUT_S)
    deadline, n = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        outcome = put(kinesis, name, hash_key, f"cut/{n}".encode())
        print(json.dumps(outcome), flush=True)
        if outcome.get("error", "timed out") != "timed out":
            time.sleep(0.05)
        n += 1


def converged_log(kinesis, name: str, shard: str, acked: list) -> list:
    """The shard's records as its current leader reads them, once they hold everything acknowledged."""
    got = [(seq, data.decode()) for seq, data in read_through(kinesis, kinesis, name, shard)]
    return set(acked) <= set(got) and got


@pytest.mark.parametrize("silently", [False, True], ids=["link-down", "packets-dropped"])
def test_a_leader_cut_off_from_its_followers_and_etcd_acknowledges_nothing_more_and_converges_after_the_heal(
        lan, lan_etcd, spawn, silently):
    servers = {n: spawn(*node_args(lan_etcd, n, ttl_s=TTL_S), host=lan.addresses[n], prefix=lan.exec_prefix(n))
               for n in NODES}
    clients = {n: e2e.client(s.endpoint, read_timeout=PUT_TIMEOUT_S * 2) for n, s in servers.items()}
    name = e2e.unique_name("partition")
    clients["n1"].create_stream(StreamName=name, ShardCount=1)
    for k in clients.values():
        e2e.wait_active(k, name, timeout=SETTLE_S)
    e2e.wait_until(lambda: fully_in_sync(lan_etcd, name, 1), SETTLE_S, "three in-sync replicas")
    [shard] = e2e.list_shards(clients["n1"], name)
    shard, hash_key = shard["ShardId"], shard["HashKeyRange"]["StartingHashKey"]
    victim = leaders(lan_etcd, name)[shard]
    others = [n for n in NODES if n != victim]

    acked = []  # (sequence number, data) of every acknowledged record
    for i in range(20):
        outcome = put(clients[victim], name, hash_key, f"before/{i}".encode())
        assert "seq" in outcome, f"{victim} leads and its followers fetch: {outcome}"
        acked.append((outcome["seq"], outcome["data"]))

    lan.cut(victim, silently)
    cut_at = time.monotonic()
    # A client inside the victim's namespace still reaches it, and puts all through the cut.
    putter = subprocess.Popen(
        [*lan.exec_prefix(victim), sys.executable, __file__, servers[victim].endpoint, name, hash_key,
         str(CUT_PUTS_S)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        # The others' view: the victim's session expires, another in-sync replica leads.
        e2e.wait_until(lambda: leaders(lan_etcd, name).get(shard) not in (None, victim), SETTLE_S,
                       f"a leader other than the cut-off {victim}")
        print(f"{victim} cut off; another node leads after {time.monotonic() - cut_at:.2f} s")
        for i in range(20):
            outcome = e2e.wait_until(
                lambda: (o := put(clients[others[i % 2]], name, hash_key, f"after/{i}".encode())) and "seq" in o and o,
                SETTLE_S, "a put through the majority's side acknowledged")
            acked.append((outcome["seq"], outcome["data"]))
        out, err = putter.communicate(timeout=CUT_PUTS_S + 3 * PUT_TIMEOUT_S)
    finally:
        if putter.poll() is None:
            putter.kill()
            putter.wait()
    assert putter.returncode == 0, err.decode()
    attempts = [json.loads(line) for line in out.decode().splitlines()]
    outcomes = collections.Counter(a.get("error", "acknowledged") for a in attempts)
    print(f"puts to the cut-off {victim} over {CUT_PUTS_S} s: {dict(outcomes)}")
    assert attempts and not outcomes["unreachable"], f"the client in {victim}'s namespace reaches it: {outcomes}"
    victim_acked = [a for a in attempts if "seq" in a]
    assert not victim_acked, f"{victim} acknowledged puts it could not replicate: {victim_acked[:3]}"

    lan.heal(victim)
    healed_at = time.monotonic()
    # It follows, catches up, rejoins the in-sync set, and (its preferred leader) leads again.
    e2e.wait_until(lambda: fully_in_sync(lan_etcd, name, 1) and leaders(lan_etcd, name)[shard] == victim, SETTLE_S,
                   f"{victim} back in the in-sync set and leading")
    print(f"healed; {victim} in sync and leading again after {time.monotonic() - healed_at:.2f} s")

    # Every node's log, each read through the node while it leads: stop it, read the next leader's.
    logs, running = {}, list(NODES)
    while running:
        leader = e2e.wait_until(lambda: (n := leaders(lan_etcd, name).get(shard)) in running and n, SETTLE_S,
                                f"a leader among {running}")
        logs[leader] = e2e.wait_until(lambda: converged_log(clients[leader], name, shard, acked), SETTLE_S,
                                      f"{leader}'s log holding every acknowledged record")
        assert leaders(lan_etcd, name).get(shard) == leader, f"{leader} led throughout the read"
        running.remove(leader)
        if running:
            servers[leader].stop()
    first = logs[victim]
    numbers = [int(seq) for seq, _ in first]
    assert numbers == sorted(set(numbers)), "sequence numbers strictly increasing"
    assert not [d for _, d in first if d.startswith("cut/")], f"{victim} dropped what it never committed"
    for node, log in logs.items():
        assert log == first, f"{node}'s log is {victim}'s: {len(log)} records against {len(first)}"


if __name__ == "__main__":
    put_for(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
