"""GET /metrics: a known workload on a server of our own, then every count checked exactly."""

from __future__ import annotations

import http.client
import os
import re
import resource
import socket
import ssl
import subprocess
from urllib.parse import urlparse

import pytest

import sluice_e2e as e2e
from sluice_e2e import Subscription

SHARD0 = "shardId-000000000000"
SHARD1 = "shardId-000000000001"
SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(endpoint: str) -> tuple:
    """(raw text, {(name, frozenset(labels)): value}, {name: type}); checks the text's shape."""
    u = urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        conn.request("GET", "/metrics")
        resp = conn.getresponse()
        body = resp.read().decode()
        assert resp.status == 200, body
        assert resp.getheader("Content-Type").startswith("text/plain; version=0.0.4")
        # Streamed as it is made, not built whole first.
        assert resp.getheader("Transfer-Encoding") == "chunked"
    finally:
        conn.close()
    samples, types, helps = {}, {}, {}
    for line in body.splitlines():
        if line.startswith("# HELP "):
            name, text = line[7:].split(" ", 1)
            assert name not in helps, f"second HELP for {name}"
            helps[name] = text
            continue
        if line.startswith("# TYPE "):
            name, kind = line[7:].split(" ")
            assert name not in types, f"second TYPE for {name}"
            assert kind in ("counter", "gauge", "histogram"), line
            types[name] = kind
            continue
        m = SAMPLE_RE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(LABEL_RE.findall(m.group(2) or ""))
        key = (m.group(1), labels)
        assert key not in samples, f"duplicate series {line!r}"
        samples[key] = float(m.group(3))
    assert set(helps) == set(types)
    return body, samples, types, helps


def value(samples: dict, name: str, **labels) -> float:
    key = (name, frozenset(labels.items()))
    assert key in samples, f"no sample {name}{labels}"
    return samples[key]


def shard_value(samples: dict, name: str, stream: str, shard: str) -> float:
    return value(samples, name, stream=stream, shard=shard, account="000000000000", region="us-east-1")


def test_metrics_count_a_known_workload_exactly(spawn):
    server = spawn("--subscription-heartbeat-ms", "0")
    kinesis = e2e.client(server.endpoint)
    stream = "metered"
    arn = e2e.create_stream(kinesis, stream, 2)["StreamARN"]
    # Shard-level series, as CloudWatch's, only with enhanced monitoring.
    kinesis.enable_enhanced_monitoring(StreamName=stream, ShardLevelMetrics=["ALL"])

    # Shard 0 takes hash keys [0, 2^127), shard 1 the rest.
    to0 = [{"PartitionKey": "p", "ExplicitHashKey": "0", "Data": b"x" * 7} for _ in range(10)]
    to1 = [{"PartitionKey": "p", "ExplicitHashKey": str(2**127), "Data": b"y" * 100} for _ in range(5)]
    assert kinesis.put_records(StreamName=stream, Records=to0)["FailedRecordCount"] == 0
    assert kinesis.put_records(StreamName=stream, Records=to1)["FailedRecordCount"] == 0
    assert kinesis.put_record(StreamName=stream, PartitionKey="p", ExplicitHashKey=str(2**128 - 1),
                              Data=b"abc")["ShardId"] == SHARD1

    # Shard 0 read in pages of 4 until caught up: 4 + 4 + 2 + 0 records in four calls.
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId=SHARD0,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    pages = []
    for _ in range(4):
        r = kinesis.get_records(ShardIterator=it, Limit=4)
        pages.append(len(r["Records"]))
        it = r["NextShardIterator"]
    assert pages == [4, 4, 2, 0]
    # Shard 1: one record of the six, so the iterator age is that record's age.
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId=SHARD1,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    last1 = kinesis.get_records(ShardIterator=it, Limit=1)
    assert len(last1["Records"]) == 1
    # Known errors: three DescribeStream of a missing stream, two GetShardIterator of a
    # missing shard.
    for _ in range(3):
        try:
            kinesis.describe_stream(StreamName="no-such-stream")
            raise AssertionError("DescribeStream of a missing stream succeeded")
        except kinesis.exceptions.ResourceNotFoundException:
            pass
    for _ in range(2):
        try:
            kinesis.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000009",
                                       ShardIteratorType="LATEST")
            raise AssertionError("GetShardIterator of a missing shard succeeded")
        except kinesis.exceptions.ResourceNotFoundException:
            pass

    body, s, types, helps = scrape(server.endpoint)
    sv = lambda name, shard: shard_value(s, name, stream, shard)  # noqa: E731
    assert sv("sluice_incoming_records_total", SHARD0) == 10
    assert sv("sluice_incoming_bytes_total", SHARD0) == 70
    assert sv("sluice_incoming_records_total", SHARD1) == 6
    assert sv("sluice_incoming_bytes_total", SHARD1) == 503
    assert sv("sluice_get_records_records_total", SHARD0) == 10
    assert sv("sluice_get_records_bytes_total", SHARD0) == 70
    assert sv("sluice_get_records_records_total", SHARD1) == 1
    assert sv("sluice_get_records_bytes_total", SHARD1) == 100
    stream_value = lambda name, **more: value(s, name, stream=stream, account="000000000000",  # noqa: E731
                                              region="us-east-1", **more)
    assert stream_value("sluice_stream_incoming_records_total") == 16
    assert stream_value("sluice_stream_incoming_bytes_total") == 573
    assert stream_value("sluice_stream_get_records_records_total") == 11
    assert stream_value("sluice_stream_iterator_age_milliseconds") == last1["MillisBehindLatest"]
    # GetRecords.Latency is a stream-level metric (CloudWatch has no shard-level one): 4 + 1 calls.
    assert stream_value("sluice_stream_get_records_latency_seconds_count") == 5
    assert stream_value("sluice_stream_get_records_latency_seconds_bucket", le="+Inf") == 5
    assert sv("sluice_iterator_age_milliseconds", SHARD0) == 0  # caught up
    assert sv("sluice_iterator_age_milliseconds", SHARD1) == last1["MillisBehindLatest"]
    assert sv("sluice_iterator_age_seconds", SHARD1) == last1["MillisBehindLatest"] / 1000
    # Bucket bounds are written as the decimals they are, not as float products.
    bounds = re.findall(r'^sluice_stream_get_records_latency_seconds_bucket\{stream="%s",[^}]*le="([^"]+)"\}'
                        % stream, body, re.M)
    assert bounds == ["0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
                      "0.1", "0.25", "0.5", "1", "2.5", "10", "+Inf"]
    for name in ("sluice_write_provisioned_throughput_exceeded_total",
                 "sluice_read_provisioned_throughput_exceeded_total"):
        assert sv(name, SHARD0) == 0 and sv(name, SHARD1) == 0
    assert "IncomingRecords" in helps["sluice_incoming_records_total"]
    assert "IncomingBytes" in helps["sluice_incoming_bytes_total"]
    assert "GetRecords.Records" in helps["sluice_get_records_records_total"]
    assert "GetRecords.Latency" in helps["sluice_stream_get_records_latency_seconds"]
    assert "IteratorAgeMilliseconds" in helps["sluice_iterator_age_milliseconds"]
    assert types["sluice_incoming_records_total"] == "counter"
    assert types["sluice_iterator_age_milliseconds"] == "gauge"
    assert types["sluice_iterator_age_seconds"] == "gauge"
    assert types["sluice_stream_get_records_latency_seconds"] == "histogram"

    # Requests by operation and outcome, and one latency sample per request.
    req = lambda op, status, error="": value(s, "sluice_requests_total", operation=op, status=status, error=error)  # noqa: E731
    assert req("PutRecords", "200") == 2
    assert req("PutRecord", "200") == 1
    assert req("GetRecords", "200") == 5
    assert req("GetShardIterator", "200") == 2
    assert req("GetShardIterator", "400", "ResourceNotFoundException") == 2
    assert req("DescribeStream", "400", "ResourceNotFoundException") == 3
    assert req("CreateStream", "200") == 1
    assert value(s, "sluice_request_duration_seconds_count", operation="PutRecords") == 2
    assert value(s, "sluice_request_duration_seconds_count", operation="GetRecords") == 5
    assert value(s, "sluice_request_duration_seconds_count", operation="DescribeStream") == 3

    # Storage: three appends waited for a group commit (one per PutRecords shard group, one
    # PutRecord); each took at least one fdatasync.
    assert value(s, "sluice_group_commit_batch_size_sum") == 3
    assert 1 <= value(s, "sluice_group_commit_batch_size_count") <= 3
    assert value(s, "sluice_fsync_duration_seconds_count") >= 1
    assert value(s, "sluice_stream_bytes_on_disk", stream=stream, account="000000000000",
                 region="us-east-1") >= 573
    assert value(s, "sluice_stream_shards", stream=stream, account="000000000000", region="us-east-1",
                 state="open") == 2
    assert value(s, "sluice_streams", status="ACTIVE") == 1
    for action in ("truncated_tail", "rebuilt_index", "damaged_batch", "offset_gap", "missing_shard_dir"):
        assert value(s, "sluice_recovery_actions_total", action=action) == 0
    # This scrape's own connection is open; nothing speaks HTTP/2 or TLS.
    assert value(s, "sluice_open_connections", version="1.1", tls="false") >= 1
    assert value(s, "sluice_open_connections", version="2", tls="false") == 0
    assert value(s, "sluice_active_subscriptions") == 0

    # SubscribeToShard: the first event carries shard 0's ten records; no heartbeats follow.
    consumer = e2e.register_consumer(kinesis, arn, "meter")
    sub = Subscription(kinesis, consumer, SHARD0, {"Type": "TRIM_HORIZON"})
    try:
        event = sub.next_event(10)
        assert len(event["Records"]) == 10
        e2e.wait_until(lambda: shard_value(scrape(server.endpoint)[1], "sluice_subscribe_to_shard_records_total",
                                           stream, SHARD0) == 10, 10, "subscribe records counted")
        _, s, _, _ = scrape(server.endpoint)
        assert sv("sluice_subscribe_to_shard_events_total", SHARD0) == 1
        assert sv("sluice_subscribe_to_shard_events_total", SHARD1) == 0
        assert value(s, "sluice_active_subscriptions") == 1
        # The consumer's lag on the shard it reads (caught up after the first event: 0).
        assert value(s, "sluice_subscription_millis_behind_latest", stream=stream, account="000000000000",
                     region="us-east-1", consumer=consumer, shard=SHARD0) == 0
        assert not [k for k in s if k[0] == "sluice_subscription_millis_behind_latest" and ("shard", SHARD1) in k[1]]
    finally:
        sub.close()
    e2e.wait_until(lambda: value(scrape(server.endpoint)[1], "sluice_active_subscriptions") == 0, 10,
                   "the subscription to end")
    server.stop()


def proc_stat_fields(pid: int) -> list:
    """/proc/<pid>/stat split into fields numbered as proc(5) does, from 1 (index 0 unused)."""
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return ["", "pid", "comm"] + text[text.rindex(")") + 2:].split()


def test_process_metrics_describe_the_server_process(spawn):
    """process_* are the server's own figures from /proc, and build_info names the version."""
    server = spawn("--durability", "memory")
    pid = server.proc.pid
    _, s, types, _ = scrape(server.endpoint)
    ticks = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as f:
        boot = next(int(line.split()[1]) for line in f if line.startswith("btime "))
    stat = proc_stat_fields(pid)
    assert value(s, "process_start_time_seconds") == pytest.approx(boot + int(stat[22]) / ticks, abs=0.01)
    assert value(s, "process_virtual_memory_bytes") > 0
    rss = value(s, "process_resident_memory_bytes")
    assert 0.5 * int(stat[24]) * os.sysconf("SC_PAGE_SIZE") <= rss <= 2 * int(stat[24]) * os.sysconf("SC_PAGE_SIZE")
    assert value(s, "process_max_fds") == resource.prlimit(pid, resource.RLIMIT_NOFILE)[0]
    assert value(s, "process_cpu_seconds_total") <= (int(stat[14]) + int(stat[15])) / ticks + 1
    assert types["process_cpu_seconds_total"] == "counter"

    # Five more connections held open: five more descriptors, and none once they close. The
    # baseline is taken when two scrapes in a row agree (earlier connections may still be closing).
    open_fds = lambda: value(scrape(server.endpoint)[1], "process_open_fds")  # noqa: E731
    seen = [open_fds()]
    e2e.wait_until(lambda: seen.append(open_fds()) or seen[-1] == seen[-2], 10, "a steady descriptor count")
    before = seen[-1]
    socks = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(5)]
    try:
        e2e.wait_until(lambda: open_fds() == before + 5, 10, "five more open descriptors")
    finally:
        for sock in socks:
            sock.close()
    e2e.wait_until(lambda: open_fds() == before, 10, "the five descriptors closed")

    # "sluice 0.1.0 (git 1a2b3c4, built 2026-12-07)"
    line = subprocess.run([e2e.SLUICE_BIN, "--version"], capture_output=True, text=True,
                          check=True).stdout.strip()
    m = re.fullmatch(r"sluice (\S+) \(git (\S+), built \d{4}-\d{2}-\d{2}\)", line)
    assert m, line
    info = [k for k in s if k[0] == "sluice_build_info"]
    assert len(info) == 1 and s[info[0]] == 1
    labels = dict(info[0][1])
    assert labels["version"] == m.group(1) and labels["revision"] == m.group(2)
    server.stop()


def test_recovery_actions_are_counted(spawn):
    """A damaged last batch is cut at its first use after the next start, and the metric says so."""
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "repaired", 1)
    for i in range(3):
        kinesis.put_record(StreamName="repaired", PartitionKey="k", Data=b"record-%d-" % i + b"z" * 100)
    server.stop()
    seg = max(server.segment_files())
    with open(seg, "rb") as f:
        content = f.read()
    pos = content.rfind(b"record-2-")
    assert pos >= 0
    with open(seg, "r+b") as f:
        f.seek(pos + 20)
        f.write(bytes([content[pos + 20] ^ 0x5A]))
    server.restart()
    # Recovery runs at the shard's first use after the start (a scrape does not load it).
    assert len(e2e.read_shard(e2e.client(server.endpoint), "repaired", SHARD0)) == 2
    _, s, _, _ = scrape(server.endpoint)
    assert value(s, "sluice_recovery_actions_total", action="truncated_tail") == 1
    assert value(s, "sluice_recovery_actions_total", action="damaged_batch") == 0
    assert value(s, "sluice_stream_incoming_records_total", stream="repaired", account="000000000000",
                 region="us-east-1") == 0  # counters start at 0
    server.stop()


def test_shard_series_follow_enhanced_monitoring(spawn):
    """Idle shards cost no series: per-stream series always, per-shard ones only for the metrics a
    stream's enhanced monitoring names, and none again once it is disabled."""
    server = spawn("--durability", "os")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "wide", 200)
    e2e.create_stream(kinesis, "watched", 3)
    kinesis.put_record(StreamName="wide", PartitionKey="k", Data=b"abc")

    def shard_series(samples, name=None):
        return {k for k in samples if dict(k[1]).get("shard") and not k[0].startswith("sluice_subscription")
                and (name is None or k[0] == name)}

    body, s, _, _ = scrape(server.endpoint)
    assert not shard_series(s)
    assert value(s, "sluice_stream_incoming_records_total", stream="wide", account="000000000000",
                 region="us-east-1") == 1
    assert len(body) < 40_000, f"{len(body)} bytes for 203 idle shards"

    kinesis.enable_enhanced_monitoring(StreamName="watched", ShardLevelMetrics=["IncomingBytes"])
    _, s, _, _ = scrape(server.endpoint)
    assert {(k[0], dict(k[1])["stream"], dict(k[1])["shard"]) for k in shard_series(s)} == {
        ("sluice_incoming_bytes_total", "watched", f"shardId-00000000000{i}") for i in range(3)}

    kinesis.enable_enhanced_monitoring(StreamName="watched", ShardLevelMetrics=["ALL"])
    _, s, _, _ = scrape(server.endpoint)
    assert len(shard_series(s, "sluice_iterator_age_milliseconds")) == 3
    assert len(shard_series(s, "sluice_write_provisioned_throughput_exceeded_total")) == 3
    assert {dict(k[1])["stream"] for k in shard_series(s)} == {"watched"}

    kinesis.disable_enhanced_monitoring(StreamName="watched", ShardLevelMetrics=["ALL"])
    _, s, _, _ = scrape(server.endpoint)
    assert not shard_series(s)
    server.stop()


def test_http2_connections_are_counted(spawn):
    """An h2c connection (prior knowledge) shows under version 2 while it is open."""
    server = spawn()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        # The client preface and an empty SETTINGS frame.
        sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        assert sock.recv(9), "no server preface"
        e2e.wait_until(lambda: value(scrape(server.endpoint)[1], "sluice_open_connections",
                                     version="2", tls="false") == 1, 10, "the h2c connection counted")
    finally:
        sock.close()
    e2e.wait_until(lambda: value(scrape(server.endpoint)[1], "sluice_open_connections",
                                 version="2", tls="false") == 0, 10, "the h2c connection uncounted")
    server.stop()


def test_tls_connections_are_counted(spawn):
    """A TLS connection (HTTP/1.1 by ALPN) shows under tls="true" while it is open."""
    server = spawn("--tls", "--durability", "memory")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test counts connections; test_tls checks the certificate
    context.set_alpn_protocols(["http/1.1"])
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=10, context=context)
    try:
        conn.request("GET", "/health")
        resp = conn.getresponse()
        assert resp.status == 200
        resp.read()
        _, s, _, _ = scrape(server.endpoint)
        assert value(s, "sluice_open_connections", version="1.1", tls="true") == 1
        assert value(s, "sluice_open_connections", version="2", tls="true") == 0
    finally:
        conn.close()
    e2e.wait_until(lambda: value(scrape(server.endpoint)[1], "sluice_open_connections",
                                 version="1.1", tls="true") == 0, 10, "the TLS connection uncounted")
    server.stop()
