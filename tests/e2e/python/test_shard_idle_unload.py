"""Idle shard logs are unloaded (--shard-idle-unload-seconds) and load again on their next use with
every record; a /metrics scrape leaves unloaded logs unloaded."""

from __future__ import annotations

import sluice_e2e as e2e
from test_metrics import scrape, value

SHARDS = ["shardId-000000000000", "shardId-000000000001"]


def loaded_and_unloads(endpoint: str) -> tuple:
    _, samples, _, _ = scrape(endpoint)
    return value(samples, "sluice_shard_logs_loaded"), value(samples, "sluice_shard_log_unloads_total")


def test_idle_shard_logs_unload_and_read_back_every_record(spawn):
    server = spawn("--shard-idle-unload-seconds", "1")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "idle", 2)
    sent = [b"record-%03d" % i for i in range(40)]
    for i, data in enumerate(sent):
        kinesis.put_record(StreamName="idle", PartitionKey="key-%d" % i, Data=data)

    # The housekeeping pass (every 5 s) unloads both logs once idle for a second.
    def unloaded():
        loaded, unloads = loaded_and_unloads(server.endpoint)
        return loaded == 0 and unloads >= 2
    e2e.wait_until(unloaded, 20, "both shard logs unloaded")
    got = []
    for shard in SHARDS:
        got += [r["Data"] for r in e2e.read_shard(kinesis, "idle", shard)]
    assert sorted(got) == sent
    assert loaded_and_unloads(server.endpoint)[0] == 2  # the reads loaded them again
    server.stop()


def test_a_scrape_leaves_unloaded_shard_logs_unloaded(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "sized", 2)
    for i in range(20):
        kinesis.put_record(StreamName="sized", PartitionKey="key-%d" % i, Data=b"x" * 100)
    labels = dict(stream="sized", account="000000000000", region="us-east-1")
    _, samples, _, _ = scrape(server.endpoint)
    stored = value(samples, "sluice_stream_bytes_on_disk", **labels)
    assert stored > 20 * 100
    server.stop()

    server.restart()
    for _ in range(2):
        _, samples, _, _ = scrape(server.endpoint)
        assert value(samples, "sluice_shard_logs_loaded") == 0
        assert value(samples, "sluice_stream_bytes_on_disk", **labels) == stored
    assert len(e2e.read_shard(e2e.client(server.endpoint), "sized", SHARDS[0])) > 0
    _, samples, _, _ = scrape(server.endpoint)
    assert value(samples, "sluice_shard_logs_loaded") == 1
    server.stop()
