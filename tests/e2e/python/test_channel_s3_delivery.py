"""Channels delivering to an S3-compatible server (`--s3-endpoint`): moto's S3 server, a process
of its own checking every request's SigV4 signature, and the objects read back with boto3's S3
client (ListObjectsV2, GetObject, HeadObject). Every record once, as its format and compression
say, under the key template's keys; dead letters in their own bucket; a missing bucket or a
stopped S3 server retried until delivery catches up; a kill -9 of the server mid-delivery."""
import base64
import json
import re

import pytest

import sluice_e2e as e2e

BUCKET = "delivered"
DEAD_LETTERS = "dead-letters"
OWNER = e2e.MOTO_ACCOUNT


@pytest.fixture
def signing_moto(moto):
    """moto refusing any request not signed with the access key it made (SigV4 checked)."""
    moto.require_signatures()
    return moto


def serve(spawn, moto):
    """A fresh server delivering channels to `moto` with the key moto knows."""
    return spawn(env={"SLUICE_S3_ENDPOINT": moto.url, **moto.credentials})


def delivering(spawn, moto, name, **channel_args):
    """A fresh server, an on-demand stream `name` and an ACTIVE channel of it delivering to BUCKET
    on `moto`: (server, Kinesis client, channel ARN)."""
    server = serve(spawn, moto)
    kinesis = e2e.client(server.endpoint)
    stream_arn = e2e.on_demand_stream(kinesis, name)
    arn = e2e.create_channel(kinesis, name, stream_arn, BUCKET, OWNER, **channel_args)
    return server, kinesis, arn


def delivered_ids(s3, bucket=BUCKET):
    """The ids of every JSON line of every object in `bucket`, sorted (duplicates kept)."""
    lines = []
    for key, body in e2e.bucket_objects(s3, bucket).items():
        lines += e2e.decompress_object(key, body).decode().splitlines()
    return sorted(json.loads(line)["id"] for line in lines)


def wait_ids(s3, ids, timeout=30, bucket=BUCKET):
    """Waits until `bucket` holds exactly the records `ids`, each once."""
    expected = sorted(ids)
    e2e.wait_until(lambda: delivered_ids(s3, bucket) == expected, timeout,
                   f"{len(expected)} records, each once, in s3://{bucket}", interval=0.2)


def test_json_records_reach_the_s3_bucket_gzipped_under_a_key_template_with_equals_and_colons(
        spawn, signing_moto):
    # Every character the template's pattern allows besides letters and digits, most of them
    # percent-encoded in the signed path.
    template = "stream=!{kinesis:stream-name}/day=!{timestamp:yyyy-MM-dd}/at=!{timestamp:HH:mm}/it's_(a).*-!/"
    server, kinesis, _ = delivering(spawn, signing_moto, "orders", OutputKeyTemplate=template,
                                    StorageClass="INTELLIGENT_TIERING")
    s3 = signing_moto.s3()
    s3.create_bucket(Bucket=BUCKET)
    e2e.put_json_ids(kinesis, "orders", list(range(200)))
    wait_ids(s3, range(200))

    key_re = re.compile(r"^stream=orders/day=\d{4}-\d{2}-\d{2}/at=\d{2}:\d{2}/it's_\(a\)\.\*-!/"
                        + e2e.CHANNEL_OBJECT_NAME)
    for key, body in e2e.bucket_objects(s3, BUCKET).items():
        m = key_re.match(key)
        assert m and m["stream"] == "orders" and m["ext"] == ".json.gz", key
        assert body[:2] == b"\x1f\x8b"  # a gzip member, stored as sent
        head = s3.head_object(Bucket=BUCKET, Key=key)
        assert (head["ContentType"], head["ContentEncoding"]) == ("application/x-ndjson", "gzip"), key
        assert head["StorageClass"] == "INTELLIGENT_TIERING", key
        assert head["ContentLength"] == len(body)
    e2e.wait_channel_figure(server.endpoint, "delivered_records_total", "orders", 200)
    assert e2e.channel_figure(server.endpoint, "delivery_errors_total", "orders") == 0
    console = e2e.console_channels(server.endpoint)
    assert console["destination"] == f"s3 {signing_moto.url} (region us-east-1)"


def test_string_records_reach_the_s3_bucket_as_zstd_text(spawn, signing_moto):
    server, kinesis, _ = delivering(spawn, signing_moto, "texts", fmt="STRING", compression="ZSTD")
    s3 = signing_moto.s3()
    s3.create_bucket(Bucket=BUCKET)
    texts = [f"line {i} · ünïcode = {i}: ok" for i in range(40)]
    kinesis.put_records(StreamName="texts", Records=[{"Data": t.encode(), "PartitionKey": "p"} for t in texts])

    def lines():
        objects = e2e.bucket_objects(s3, BUCKET)
        return sorted(line for k, b in objects.items() for line in e2e.decompress_object(k, b).decode().splitlines())

    e2e.wait_until(lambda: lines() == sorted(texts), 30, "the texts in the bucket, each once", interval=0.2)
    for key, body in e2e.bucket_objects(s3, BUCKET).items():
        assert key.endswith(".txt.zst") and body[:4] == b"\x28\xb5\x2f\xfd", key  # a zstd frame
        head = s3.head_object(Bucket=BUCKET, Key=key)
        assert (head["ContentType"], head["ContentEncoding"]) == ("text/plain; charset=utf-8", "zstd"), key


def test_temporary_credentials_sign_with_their_session_token(spawn, moto):
    credentials = moto.require_signatures(session=True)
    assert "AWS_SESSION_TOKEN" in credentials
    server, kinesis, _ = delivering(spawn, moto, "sessions")
    moto.s3().create_bucket(Bucket=BUCKET)
    e2e.put_json_ids(kinesis, "sessions", list(range(20)))
    wait_ids(moto.s3(), range(20))
    assert e2e.channel_figure(server.endpoint, "delivery_errors_total", "sessions") == 0


def test_an_object_of_several_megabytes_is_put_whole(spawn, signing_moto):
    server, kinesis, _ = delivering(spawn, signing_moto, "bulky", fmt="STRING", compression="NONE", freshness=2)
    s3 = signing_moto.s3()
    s3.create_bucket(Bucket=BUCKET)
    texts = [f"{i:06d}" + "x" * 9_993 for i in range(600)]  # 6 MB, in one or two objects
    for start in range(0, len(texts), 100):
        kinesis.put_records(StreamName="bulky", Records=[{"Data": t.encode(), "PartitionKey": "p"}
                                                         for t in texts[start:start + 100]])

    def lines():
        return sorted(line for body in e2e.bucket_objects(s3, BUCKET).values() for line in body.decode().splitlines())

    e2e.wait_until(lambda: lines() == texts, 30, "6 MB of records in the bucket, each once", interval=0.2)
    assert max(len(body) for body in e2e.bucket_objects(s3, BUCKET).values()) > 1_000_000


def test_records_that_are_not_json_land_in_the_dead_letter_bucket_under_its_prefix(spawn, signing_moto):
    server, kinesis, _ = delivering(
        spawn, signing_moto, "mixed", compression="NONE",
        DeadLetterQueueS3Configuration={"BucketARN": f"arn:aws:s3:::{DEAD_LETTERS}", "ExpectedBucketOwner": OWNER,
                                        "ErrorOutputPrefix": "refused/"})
    s3 = signing_moto.s3()
    s3.create_bucket(Bucket=BUCKET)
    s3.create_bucket(Bucket=DEAD_LETTERS)
    bad = [b"not json", b'{"open": ', b"\xff\xfe"]
    e2e.put_json_ids(kinesis, "mixed", list(range(5)))
    for b in bad:
        kinesis.put_record(StreamName="mixed", Data=b, PartitionKey="bad")

    def letters():
        return [json.loads(line) for body in e2e.bucket_objects(s3, DEAD_LETTERS).values()
                for line in body.splitlines()]

    e2e.wait_until(lambda: len(letters()) == 3, 30, "3 dead letters", interval=0.2)
    wait_ids(s3, range(5))
    assert sorted(base64.b64decode(d["data"]) for d in letters()) == sorted(bad)
    assert all(d["partitionKey"] == "bad" and "JSON" in d["reason"] for d in letters())
    for key in e2e.bucket_objects(s3, DEAD_LETTERS):
        assert re.match(r"^refused/\d{4}/\d{2}/\d{2}/\d{2}/" + e2e.CHANNEL_OBJECT_NAME, key), key
        assert key.endswith(".json"), key
    e2e.wait_channel_figure(server.endpoint, "dead_letter_records_total", "mixed", 3)


def test_a_missing_bucket_is_reported_and_delivery_catches_up_once_it_exists(spawn, signing_moto):
    server, kinesis, arn = delivering(spawn, signing_moto, "waiting")
    e2e.put_json_ids(kinesis, "waiting", list(range(50)))
    e2e.wait_until(lambda: e2e.channel_figure(server.endpoint, "delivery_errors_total", "waiting") > 0, 20,
                   "a delivery error counted")
    [shown] = e2e.console_channels(server.endpoint)["channels"]
    assert "NoSuchBucket" in shown["last_error"] and shown["records"] == 0, shown
    # The model's FAILED is for a configuration that cannot work; a failing upload leaves it ACTIVE.
    description = kinesis.describe_channel(ChannelARN=arn)["ChannelDescription"]
    assert description["ChannelStatus"] == "ACTIVE" and "ChannelStatusReason" not in description, description

    s3 = signing_moto.s3()
    s3.create_bucket(Bucket=BUCKET)
    e2e.put_json_ids(kinesis, "waiting", list(range(50, 100)))
    wait_ids(s3, range(100))
    e2e.wait_channel_figure(server.endpoint, "delivered_records_total", "waiting", 100)


def test_an_s3_server_stopped_mid_run_loses_no_record_once_it_is_back(spawn, moto):
    # moto keeps its buckets in memory: the restarted server is empty, its bucket made again, and
    # it must receive exactly the records put since the stop (the first ones stayed with the first).
    server, kinesis, _ = delivering(spawn, moto, "outage")
    moto.s3().create_bucket(Bucket=BUCKET)
    e2e.put_json_ids(kinesis, "outage", list(range(100)))
    wait_ids(moto.s3(), range(100))

    moto.stop()
    errors = e2e.channel_figure(server.endpoint, "delivery_errors_total", "outage")
    e2e.put_json_ids(kinesis, "outage", list(range(100, 200)))
    e2e.wait_until(lambda: e2e.channel_figure(server.endpoint, "delivery_errors_total", "outage") > errors, 20,
                   "an upload to the stopped S3 server counted as an error")

    moto.start()
    moto.s3().create_bucket(Bucket=BUCKET)
    e2e.put_json_ids(kinesis, "outage", list(range(200, 300)))
    wait_ids(moto.s3(), range(100, 300))


def test_kill9_mid_delivery_to_s3_leaves_every_record_in_the_bucket_exactly_once(spawn, signing_moto):
    server, kinesis, _ = delivering(spawn, signing_moto, "crashy")
    s3 = signing_moto.s3()
    s3.create_bucket(Bucket=BUCKET)
    e2e.put_json_ids(kinesis, "crashy", list(range(1000)))
    e2e.wait_until(lambda: e2e.bucket_objects(s3, BUCKET), 30, "a first object", interval=0.05)
    sent = e2e.kill9_while_putting_json(server, "crashy", 1000, burst=300)
    kinesis = e2e.client(server.endpoint)
    e2e.put_json_ids(kinesis, "crashy", list(range(sent, sent + 300)))
    sent += 300
    wait_ids(s3, range(sent), timeout=45)
