"""Cluster mode's membership: nodes register in etcd, a crashed node's registration expires
with its session, a duplicate id is refused, and `sluice cluster status` shows it all."""

from __future__ import annotations

import subprocess
import time

import sluice_e2e as e2e

TTL_S = 2  # --cluster-session-ttl: short, so that a crash shows within seconds


def node_args(etcd, node_id: str, ttl_s: int = TTL_S) -> list:
    return ["--cluster", etcd.cluster_url, "--node-id", node_id, "--cluster-session-ttl", str(ttl_s),
            "--durability", "os"]


def nodes_by_id(etcd) -> dict:
    return {n["id"]: n for n in e2e.cluster_status(etcd.cluster_url)["nodes"]}


def test_three_nodes_register_a_killed_one_goes_down_within_its_ttl_and_comes_back(etcd, spawn):
    servers = {f"n{i}": spawn(*node_args(etcd, f"n{i}")) for i in (1, 2, 3)}
    nodes = nodes_by_id(etcd)
    assert sorted(nodes) == ["n1", "n2", "n3"]
    for node_id, server in servers.items():
        assert nodes[node_id]["alive"], nodes
        assert nodes[node_id]["advertise"] == f"127.0.0.1:{server.port}"

    servers["n2"].kill9()
    killed = time.monotonic()
    e2e.wait_until(lambda: not nodes_by_id(etcd)["n2"]["alive"], TTL_S + 3, "n2 to be down after kill -9")
    # Within the TTL, plus etcd's expiry check (every 0.5 s) and one status call.
    assert time.monotonic() - killed < TTL_S + 2.0
    nodes = nodes_by_id(etcd)
    assert nodes["n1"]["alive"] and nodes["n3"]["alive"], nodes

    servers["n2"].restart()
    nodes = nodes_by_id(etcd)
    assert all(n["alive"] for n in nodes.values()), nodes
    assert nodes["n2"]["advertise"] == f"127.0.0.1:{servers['n2'].port}"


def test_a_second_node_with_a_live_nodes_id_is_refused_at_start(etcd, spawn, tmp_path):
    first = spawn(*node_args(etcd, "dup"))
    res = subprocess.run([e2e.SLUICE_BIN, "serve", "--port", "0", "--data-dir", str(tmp_path / "second"),
                          *node_args(etcd, "dup")], capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    assert res.returncode == 1
    err = res.stdout.decode() + res.stderr.decode()
    assert "node id 'dup' is already registered" in err, err
    assert f"127.0.0.1:{first.port}" in err, err
    assert nodes_by_id(etcd)["dup"]["advertise"] == f"127.0.0.1:{first.port}"


def test_a_clean_stop_leaves_at_once(etcd, spawn):
    server = spawn(*node_args(etcd, "n1", ttl_s=60))
    assert nodes_by_id(etcd)["n1"]["alive"]
    server.stop()
    assert not nodes_by_id(etcd)["n1"]["alive"], "the lease is revoked on SIGTERM, not left to expire"


def test_cluster_flags_through_sluice_variables(etcd, spawn):
    server = spawn(env={"SLUICE_CLUSTER": etcd.cluster_url, "SLUICE_NODE_ID": "env-node",
                        "SLUICE_ADVERTISE": "node.example:4567", "SLUICE_CLUSTER_SESSION_TTL": str(TTL_S)})
    assert server.healthy()
    assert nodes_by_id(etcd)["env-node"]["advertise"] == "node.example:4567"


def test_cluster_status_with_no_etcd_fails_within_its_deadline(tmp_path):
    started = time.monotonic()
    res = subprocess.run([e2e.SLUICE_BIN, "cluster", "status", "--cluster", f"etcd://127.0.0.1:{e2e.free_port()}"],
                         capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    assert res.returncode == 3, res
    assert "no endpoint of 1 answered" in res.stderr.decode()
    assert time.monotonic() - started < 10


def test_node_id_without_cluster_is_a_usage_error(tmp_path):
    res = subprocess.run([e2e.SLUICE_BIN, "serve", "--port", "0", "--data-dir", str(tmp_path / "d"), "--node-id", "n1"],
                         capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    assert res.returncode == 2
    assert "give --cluster too" in res.stdout.decode() + res.stderr.decode()
