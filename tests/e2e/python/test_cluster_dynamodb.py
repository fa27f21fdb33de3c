"""Cluster mode's DynamoDB tables: one table for the whole cluster, through any node. A table
created through one node is used at once through the others; conditional writes racing through
two nodes have exactly one winner per item; a lease-counter loop of conditional UpdateItems
through all three nodes loses no increment; and after kill -9 of a node every write it
acknowledged is read back through another. And the Python KCL with two workers through two
different nodes sharing one lease table: each takes one of the two shards, and every record is
processed and checkpointed."""

from __future__ import annotations

import threading

import cluster_e2e
import sluice_e2e as e2e
from test_kclpy import leases, read_output, start_daemon, stop_daemon

KEY = [{"AttributeName": "leaseKey", "KeyType": "HASH"}]
ATTRS = [{"AttributeName": "leaseKey", "AttributeType": "S"}]


def ddb_clients(servers: dict) -> dict:
    return {n: e2e.client(s.endpoint, service="dynamodb") for n, s in servers.items()}


def lease(ddb, table: str, key: str) -> dict:
    return ddb.get_item(TableName=table, Key={"leaseKey": {"S": key}}, ConsistentRead=True).get("Item", {})


def test_one_table_through_every_node_racing_writes_have_one_winner_and_a_kill_loses_nothing(etcd, spawn):
    servers = cluster_e2e.start_nodes(etcd, spawn)
    ddb = ddb_clients(servers)
    table = e2e.unique_name("leases")
    created = ddb["n1"].create_table(TableName=table, KeySchema=KEY, AttributeDefinitions=ATTRS,
                                     BillingMode="PAY_PER_REQUEST")
    assert created["TableDescription"]["TableStatus"] == "ACTIVE"
    for n in ("n2", "n3"):  # at once, no waiting
        assert ddb[n].describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
        assert table in ddb[n].list_tables()["TableNames"]

    # Conditional creates racing from threads through n2 and n3: one winner per key.
    keys = [f"shardId-{i:012d}" for i in range(20)]
    won = {"n2": [], "n3": []}
    refused = {"n2": [], "n3": []}

    def race(node: str):
        for key in keys:
            try:
                ddb[node].put_item(TableName=table, Item={"leaseKey": {"S": key}, "leaseOwner": {"S": node},
                                                          "leaseCounter": {"N": "0"}},
                                   ConditionExpression="attribute_not_exists(leaseKey)")
                won[node].append(key)
            except ddb[node].exceptions.ConditionalCheckFailedException:
                refused[node].append(key)

    threads = [threading.Thread(target=race, args=(n,)) for n in ("n2", "n3")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(won["n2"] + won["n3"]) == keys
    assert sorted(refused["n2"] + refused["n3"]) == keys
    owners = {k: ("n2" if k in won["n2"] else "n3") for k in keys}
    for n in ddb:
        assert {k: lease(ddb[n], table, k)["leaseOwner"]["S"] for k in keys} == owners

    # The KCL's lease taking: read the counter, update it only if unchanged; three workers
    # through three nodes on one lease end with the exact count.
    per_worker = 15
    target = keys[0]

    def take(node: str):
        done = 0
        while done < per_worker:
            seen = lease(ddb[node], table, target)["leaseCounter"]["N"]
            try:
                ddb[node].update_item(TableName=table, Key={"leaseKey": {"S": target}},
                                      UpdateExpression="SET leaseCounter = leaseCounter + :one, leaseOwner = :me",
                                      ConditionExpression="leaseCounter = :seen",
                                      ExpressionAttributeValues={":one": {"N": "1"}, ":me": {"S": node},
                                                                 ":seen": {"N": seen}})
                done += 1
            except ddb[node].exceptions.ConditionalCheckFailedException:
                pass

    threads = [threading.Thread(target=take, args=(n,)) for n in ddb]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for n in ddb:
        assert lease(ddb[n], table, target)["leaseCounter"]["N"] == str(3 * per_worker)

    # Writes acknowledged through n1, then n1 killed: all there through n2.
    acked = []
    for i in range(30):
        key = f"n1-{i}"
        ddb["n1"].put_item(TableName=table, Item={"leaseKey": {"S": key}, "n": {"N": str(i)}})
        acked.append(key)
    servers["n1"].kill9()
    scanned = {}
    pages = e2e.client(servers["n2"].endpoint, service="dynamodb").get_paginator("scan").paginate(TableName=table)
    for page in pages:
        scanned.update({item["leaseKey"]["S"]: item for item in page["Items"]})
    assert all(key in scanned for key in acked)
    assert [scanned[f"n1-{i}"]["n"]["N"] for i in range(30)] == [str(i) for i in range(30)]
    assert scanned[target]["leaseCounter"]["N"] == str(3 * per_worker)
    assert len(scanned) == len(keys) + len(acked)


def test_two_kcl_workers_through_two_nodes_share_one_lease_table(etcd, spawn, tmp_path):
    servers = cluster_e2e.start_nodes(etcd, spawn)
    kinesis = {n: e2e.client(s.endpoint) for n, s in servers.items()}
    stream, _ = cluster_e2e.stream_in_sync(etcd, kinesis, "kcl", 2)
    application = e2e.unique_name("kcl-app")
    put = {}  # (shard, sequence number) -> data

    def put_records(round_: int):
        entries = [{"PartitionKey": f"key-{k}", "Data": f"{round_}-{k}".encode()} for k in range(40)]
        response = kinesis["n1"].put_records(StreamName=stream, Records=entries)
        assert response["FailedRecordCount"] == 0, response
        for entry, result in zip(entries, response["Records"]):
            put[(result["ShardId"], result["SequenceNumber"])] = entry["Data"].decode()

    put_records(1)
    workers = {}
    for n in ("n2", "n3"):
        work = tmp_path / n
        work.mkdir()
        output = str(work / "processed.jsonl")
        workers[n] = (*start_daemon(work, servers[n].endpoint, stream, application, output), output)

    def seen() -> dict:
        return {(p["shard"], p["sequence"]): p["data"] for _, _, out in workers.values()
                for p in read_output(out) if "shard" in p}

    dynamo = e2e.client(servers["n1"].endpoint, service="dynamodb")

    def owners() -> set:
        try:
            items = dynamo.scan(TableName=application)["Items"]
        except dynamo.exceptions.ResourceNotFoundException:
            return set()
        return {i["leaseOwner"]["S"] for i in items if "leaseOwner" in i}

    def last_by_shard() -> dict:
        last = {}
        for shard, sequence in put:
            if shard not in last or int(sequence) > int(last[shard]):
                last[shard] = sequence
        return last

    def diagnosis() -> str:
        logs = "\n".join(f"{n} daemon log (tail):\n{log.read_text(errors='replace')[-3000:]}"
                         for n, (_, log, _) in workers.items())
        return f"processed {len(seen())} of {len(put)}; leases {leases(dynamo, application)}\n{logs}"

    try:
        try:
            # The KCL balances: of two shards, each worker takes one.
            e2e.wait_until(lambda: len(owners()) == 2, 90, "each worker holding a lease")
            put_records(2)
            e2e.wait_until(lambda: set(put) <= set(seen()), 60, "every record processed")
            e2e.wait_until(lambda: leases(dynamo, application) == last_by_shard(), 30,
                           "each shard's checkpoint at its last record")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{diagnosis()}") from e
        for n, (daemon, _, _) in workers.items():
            assert daemon.poll() is None, f"{n}'s daemon exited with {daemon.returncode}\n{diagnosis()}"
    finally:
        for daemon, _, _ in workers.values():
            stop_daemon(daemon)
    assert {k: seen()[k] for k in put} == put
    assert [p["error"] for _, _, out in workers.values() for p in read_output(out) if "error" in p] == []
