"""Channels delivering with boto3: records put to an on-demand stream reach
<data-dir>/s3/<bucket>/ as the channel's format and compression say (JSON and
GZIP, STRING and ZSTD), refused records go to the dead-letter prefix,
resharding during delivery and a kill -9 mid-delivery leave every record in
the bucket exactly once."""
import base64
import json
import os
import re

import sluice_e2e as e2e

ACCOUNT = "000000000000"
BUCKET = "delivered"
# The default key template, !{timestamp:yyyy/MM/dd/HH}/, then the name delivery appends.
OBJECT_NAME = re.compile(r"^(\d{4})/(\d{2})/(\d{2})/(\d{2})/" + e2e.CHANNEL_OBJECT_NAME)


def channel(kinesis, name, stream_arn, **channel_args):
    return e2e.create_channel(kinesis, name, stream_arn, BUCKET, ACCOUNT, **channel_args)


def delivering(spawn, name, **channel_args):
    """A fresh server, an on-demand stream `name` and an ACTIVE channel of it: (server, client, stream ARN)."""
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    stream_arn = e2e.on_demand_stream(kinesis, name)
    channel(kinesis, name, stream_arn, **channel_args)
    return server, kinesis, stream_arn


def objects(server, prefix=""):
    """{key: bytes} of the bucket's objects under `prefix` (no temporary files)."""
    root = os.path.join(server.data_dir, "s3", BUCKET)
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            key = os.path.relpath(os.path.join(d, f), root)
            if key.startswith(prefix) and not f.startswith(".sluice-tmp"):
                with open(os.path.join(d, f), "rb") as fh:
                    out[key] = fh.read()
    return out


def delivered_lines(server):
    """Every line of every delivered object (dead letters excluded), decompressed."""
    lines = []
    for key, body in objects(server).items():
        if key.startswith("error/"):
            continue
        assert OBJECT_NAME.match(key), key
        lines += e2e.decompress_object(key, body).decode().splitlines()
    return lines


def wait_delivered(server, expected_ids, timeout=30):
    def done():
        return sorted(json.loads(line)["id"] for line in delivered_lines(server)) == sorted(expected_ids)
    e2e.wait_until(done, timeout, f"{len(expected_ids)} records in the bucket", interval=0.2)


def test_json_records_reach_the_bucket_gzipped_under_the_default_key_and_are_counted(spawn):
    server, kinesis, stream_arn = delivering(spawn, "orders")
    e2e.put_json_ids(kinesis, "orders", list(range(100)))
    wait_delivered(server, list(range(100)))
    for key, body in objects(server).items():
        m = OBJECT_NAME.match(key)
        assert m and m["stream"] == "orders" and m["ext"] == ".json.gz", key
        assert body[:2] == b"\x1f\x8b"  # a gzip member
    e2e.wait_channel_figure(server.endpoint, "delivered_records_total", "orders", 100)
    assert e2e.channel_figure(server.endpoint, "delivery_errors_total", "orders") == 0
    console = e2e.console_channels(server.endpoint)
    assert console["destination"] == "directory " + os.path.join(server.data_dir, "s3")
    assert [(c["name"], c["records"], c["errors"]) for c in console["channels"]] == [("orders", 100, 0)]


def test_string_records_are_lines_of_text_compressed_with_zstd(spawn):
    server, kinesis, stream_arn = delivering(spawn, "texts", fmt="STRING", compression="ZSTD")
    texts = [f"line {i} · ünïcode" for i in range(40)]
    for t in texts:
        kinesis.put_record(StreamName="texts", Data=t.encode(), PartitionKey="p")
    e2e.wait_until(lambda: sorted(delivered_lines(server)) == sorted(texts), 30, "the texts in the bucket",
                   interval=0.2)
    assert all(k.endswith(".txt.zst") for k in objects(server))
    assert all(body[:4] == b"\x28\xb5\x2f\xfd" for body in objects(server).values())  # a zstd frame


def test_records_that_are_not_json_go_to_the_dead_letter_prefix(spawn):
    server, kinesis, stream_arn = delivering(spawn, "mixed", compression="NONE")
    bad = [b"not json", b"{\"open\": ", b"\xff\xfe"]
    for i in range(5):
        kinesis.put_record(StreamName="mixed", Data=json.dumps({"id": i}).encode(), PartitionKey="p")
    for b in bad:
        kinesis.put_record(StreamName="mixed", Data=b, PartitionKey="bad")

    def dead_letters():
        return [json.loads(line) for body in objects(server, "error/").values() for line in body.splitlines()]

    e2e.wait_until(lambda: len(dead_letters()) == 3 and len(delivered_lines(server)) == 5, 30,
                   "5 records delivered and 3 dead letters", interval=0.2)
    letters = dead_letters()
    assert sorted(base64.b64decode(d["data"]) for d in letters) == sorted(bad)
    for d in letters:
        assert d["streamARN"] == stream_arn
        assert d["shardId"].startswith("shardId-")
        assert d["sequenceNumber"].isdigit()
        assert d["partitionKey"] == "bad"
        assert "JSON" in d["reason"]
    assert sorted(json.loads(line)["id"] for line in delivered_lines(server)) == list(range(5))


def test_resharding_during_delivery_delivers_every_record_once(spawn):
    server, kinesis, stream_arn = delivering(spawn, "resharded")
    e2e.put_json_ids(kinesis, "resharded", list(range(0, 300)))
    shards_before = len(e2e.list_shards(kinesis, "resharded"))
    # The service reshards no ON_DEMAND stream by request: switch the stream
    # to PROVISIONED for the reshard, as an operator can, and back.
    kinesis.update_stream_mode(StreamARN=stream_arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
    e2e.wait_active(kinesis, "resharded")
    kinesis.update_shard_count(StreamName="resharded", TargetShardCount=shards_before * 2,
                               ScalingType="UNIFORM_SCALING")
    e2e.wait_active(kinesis, "resharded")
    kinesis.update_stream_mode(StreamARN=stream_arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    e2e.wait_active(kinesis, "resharded")
    e2e.put_json_ids(kinesis, "resharded", list(range(300, 600)))
    wait_delivered(server, list(range(600)))
    shards = {OBJECT_NAME.match(k)["shard"] for k in objects(server)}
    assert len(shards) > shards_before  # children delivered too


def test_kill9_mid_delivery_leaves_every_record_in_the_bucket_exactly_once(spawn):
    server, kinesis, stream_arn = delivering(spawn, "crashy")
    e2e.put_json_ids(kinesis, "crashy", list(range(0, 1000)))
    e2e.wait_until(lambda: len(delivered_lines(server)) > 0, 30, "a first object", interval=0.05)
    sent = e2e.kill9_while_putting_json(server, "crashy", 1000)
    kinesis = e2e.client(server.endpoint)
    e2e.put_json_ids(kinesis, "crashy", list(range(sent, sent + 500)))
    sent += 500
    wait_delivered(server, list(range(sent)))
    lines = delivered_lines(server)
    assert len(lines) == len(set(lines)) == sent
