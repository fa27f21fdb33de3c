"""Cluster mode's observability: each node's /metrics has the cluster's families (live nodes,
shards by state, the in-sync set sizes of the shards it leads, leader changes, failover seconds),
`sluice cluster status` prints a summary and filters by stream, and the console's cluster page
lists the nodes and shards (a single node's says it is not in a cluster)."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request

import sluice_e2e as e2e
from test_cluster_membership import TTL_S, node_args
from test_cluster_metadata import three_nodes
from test_metrics import scrape, value

SEEN_S = 10.0  # a change reaches every node's view through etcd's watch well within this
STATES = ("in-sync", "under-replicated", "leaderless", "unassigned")


def shards_by_state_of(samples: dict) -> dict:
    return {s: value(samples, "sluice_cluster_shards", state=s) for s in STATES}


def shards_by_state(endpoint: str) -> dict:
    return shards_by_state_of(scrape(endpoint)[1])


def led_shards(samples: dict) -> list:
    return [dict(labels)["shard"] for (name, labels) in samples if name == "sluice_cluster_isr_size"]


def status_text(etcd, *args: str) -> str:
    res = subprocess.run([e2e.SLUICE_BIN, "cluster", "status", "--cluster", etcd.cluster_url, *args],
                         capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stderr.decode()
    return res.stdout.decode()


def console_cluster(endpoint: str) -> dict:
    with urllib.request.urlopen(endpoint + "/console/api/cluster", timeout=5) as answer:
        return json.loads(answer.read())


def test_every_nodes_metrics_count_the_live_nodes_and_the_shards_and_time_a_killed_leaders_failovers(
        etcd, spawn):
    servers = three_nodes(etcd, spawn)
    name = e2e.unique_name("obs")
    e2e.create_stream(e2e.client(servers[0].endpoint), name, shards=3)
    for s in servers:
        e2e.wait_until(lambda s=s: shards_by_state(s.endpoint)["in-sync"] == 3, SEEN_S, f"3 shards in {s.endpoint}")

    scrapes = [scrape(s.endpoint) for s in servers]
    for body, samples, types, _ in scrapes:
        assert value(samples, "sluice_cluster_live_nodes") == 3
        assert value(samples, "sluice_cluster_member_nodes") == 3
        assert shards_by_state_of(samples) == {"in-sync": 3, "under-replicated": 0, "leaderless": 0, "unassigned": 0}
        assert value(samples, "sluice_cluster_leader_changes_total") >= 3, "three first leaders, seen by the watch"
        assert types["sluice_cluster_failover_seconds"] == "histogram"
        assert value(samples, "sluice_cluster_failover_seconds_count") == 0, "no leader was lost"
        assert value(samples, "sluice_cluster_led_shards") == len(led_shards(samples))
        for (metric, labels), v in samples.items():
            if metric == "sluice_cluster_isr_size":
                assert v == 3, "three in-sync replicas per shard (the default replication factor)"
    assert sorted(sum((led_shards(samples) for _, samples, _, _ in scrapes), [])) == [
        f"shardId-00000000000{i}" for i in range(3)], "each shard's ISR size is reported by its leader only"
    assert sum(value(samples, "sluice_cluster_is_controller") for _, samples, _, _ in scrapes) == 1

    victim = max(range(3), key=lambda i: len(led_shards(scrapes[i][1])))
    lost = len(led_shards(scrapes[victim][1]))
    assert lost >= 1
    servers[victim].kill9()
    survivor = servers[(victim + 1) % 3].endpoint
    e2e.wait_until(lambda: value(scrape(survivor)[1], "sluice_cluster_live_nodes") == 2, TTL_S + 5,
                   "the killed node's registration to expire")
    # Its shards fail over to in-sync followers; every shard is one replica short.
    e2e.wait_until(lambda: shards_by_state(survivor) == {"in-sync": 0, "under-replicated": 3, "leaderless": 0,
                                                        "unassigned": 0}, SEEN_S,
                   f"the killed node's {lost} shards led by followers, every shard short of one replica")
    survivors = [servers[i].endpoint for i in range(3) if i != victim]
    e2e.wait_until(lambda: sum(value(scrape(s)[1], "sluice_cluster_failover_seconds_count") for s in survivors)
                   >= lost, SEEN_S, f"the controller to time the {lost} failovers")
    assert value(scrape(survivor)[1], "sluice_cluster_member_nodes") == 3


def test_cluster_status_and_the_console_page_list_the_nodes_and_shards_summed_up_and_by_stream(etcd, spawn):
    servers = three_nodes(etcd, spawn)
    kinesis = e2e.client(servers[1].endpoint)
    wide, narrow = e2e.unique_name("wide"), e2e.unique_name("narrow")
    e2e.create_stream(kinesis, wide, shards=2)
    e2e.create_stream(kinesis, narrow, shards=1)
    e2e.wait_until(lambda: e2e.cluster_status(etcd.cluster_url)["summary"]["in-sync"] == 3, SEEN_S,
                   "three shards led")

    text = status_text(etcd)
    assert text.splitlines()[0] == ("nodes: 3 of 3 alive; shards: 3 (3 in-sync, 0 under-replicated, 0 leaderless, "
                                    "0 unassigned)"), text
    filtered = status_text(etcd, "--stream", narrow)
    assert filtered.splitlines()[0].startswith("nodes: 3 of 3 alive; shards: 1 (1 in-sync"), filtered
    assert narrow in filtered and wide not in filtered, filtered
    doc = json.loads(status_text(etcd, "--json", "--stream", wide))
    assert [s["stream"] for s in doc["shards"]] == [wide, wide]
    assert doc["summary"] == {"nodes_alive": 3, "nodes_total": 3, "shards": 2, "in-sync": 2,
                              "under-replicated": 0, "leaderless": 0, "unassigned": 0}

    for s in servers:
        e2e.wait_until(lambda s=s: console_cluster(s.endpoint)["summary"]["shards"] == 3, SEEN_S,
                       f"the console of {s.endpoint} to list 3 shards")
        page = console_cluster(s.endpoint)
        assert {n["id"]: (n["advertise"], n["alive"]) for n in page["nodes"]} == {
            f"n{i + 1}": (f"127.0.0.1:{servers[i].port}", True) for i in range(3)}
        assert sorted((r["stream"], r["shard"]) for r in page["shards"]) == sorted(
            [(narrow, "shardId-000000000000"), (wide, "shardId-000000000000"), (wide, "shardId-000000000001")])
        assert all(r["leader"] in ("n1", "n2", "n3") and r["leader_epoch"] >= 1 for r in page["shards"])
        with urllib.request.urlopen(s.endpoint + "/console/", timeout=5) as answer:
            assert 'id="nav-cluster"' in answer.read().decode()


def test_a_single_nodes_console_says_it_is_not_in_a_cluster_and_its_metrics_have_no_cluster_families(spawn):
    server = spawn()
    try:
        urllib.request.urlopen(server.endpoint + "/console/api/cluster", timeout=5)
        raise AssertionError("a single node answered /console/api/cluster")
    except urllib.error.HTTPError as err:
        assert err.code == 404
        assert "not in a cluster" in json.loads(err.read())["error"]
    assert "sluice_cluster_" not in scrape(server.endpoint)[0]
