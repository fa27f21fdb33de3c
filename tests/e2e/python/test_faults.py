"""Fault injection (`--faults FILE`, the admin API on `--admin-port`): seeded rules fail the same
calls twice, per-record failures in PutRecords, KMS errors, added latency, dropped connections
before and after the call, and rules changed at run time."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

import botocore.exceptions
import pytest

import sluice_e2e as e2e

SEEDED = {"rules": [{"operation": "PutRecord", "stream": "seeded", "error": "InternalFailure",
                     "error_rate": 0.3, "seed": 1234}]}


def admin(port: int, method: str, path: str, body: dict | str | None = None):
    data = None if body is None else (body if isinstance(body, str) else json.dumps(body)).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def failure_pattern(kinesis, n: int = 120) -> list:
    """Which of n PutRecord calls to stream "seeded" failed, in order."""
    pattern = []
    for i in range(n):
        try:
            kinesis.put_record(StreamName="seeded", PartitionKey="k", Data=b"%d" % i)
            pattern.append(False)
        except botocore.exceptions.ClientError as err:
            assert err.response["Error"]["Code"] == "InternalFailure"
            assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 500
            pattern.append(True)
    return pattern


def test_a_seeded_rule_fails_the_same_calls_twice(spawn, tmp_path):
    rules = tmp_path / "faults.json"
    rules.write_text(json.dumps(SEEDED))
    first = spawn("--faults", str(rules), "--durability", "os")
    kinesis = e2e.client(first.endpoint)
    e2e.create_stream(kinesis, "seeded", 1)
    pattern = failure_pattern(kinesis)
    assert 15 <= sum(pattern) <= 60, sum(pattern)  # about 30% of 120
    # Exactly the calls that did not fail were written.
    stored = [r["Data"] for r in e2e.read_shard(kinesis, "seeded", "shardId-000000000000")]
    assert stored == [b"%d" % i for i, failed in enumerate(pattern) if not failed]
    first.stop()

    # Another server, the same rules set at run time through the admin API: the same failures.
    admin_port = e2e.free_port()
    second = spawn("--admin-port", str(admin_port), "--durability", "os")
    kinesis = e2e.client(second.endpoint)
    e2e.create_stream(kinesis, "seeded", 1)
    status, body = admin(admin_port, "PUT", "/admin/faults", SEEDED)
    assert status == 200 and body["rules"][0]["seed"] == 1234
    assert failure_pattern(kinesis) == pattern
    second.stop()


def test_admin_api_shows_replaces_and_clears_rules(spawn):
    admin_port = e2e.free_port()
    server = spawn("--admin-port", str(admin_port), "--limits", "real", "--limit", "shard-write-records=2000")
    assert f"admin API on 127.0.0.1:{admin_port}" in server.log
    assert admin(admin_port, "GET", "/admin/faults") == (200, {"rules": []})
    status, limits = admin(admin_port, "GET", "/admin/limits")
    assert status == 200
    assert limits["shard-write-records"] == 2000 and limits["shard-write-bytes"] == 1048576
    assert limits["control-plane"] is True

    status, body = admin(admin_port, "PUT", "/admin/faults", {"rules": [{"latency_ms": 5, "colour": "red"}]})
    assert status == 400 and body["error"] == 'fault rule 0: unknown member "colour"'
    status, body = admin(admin_port, "PUT", "/admin/faults", "{not json")
    assert status == 400 and body["error"] == "fault rules: not a JSON document"
    status, body = admin(admin_port, "PUT", "/admin/faults",
                         {"rules": [{"operation": "PutRecod", "error": "InternalFailure", "error_rate": 1}]})
    assert status == 400 and body["error"] == 'fault rule 0: unknown operation "PutRecod" (did you mean "PutRecord"?)'
    assert admin(admin_port, "GET", "/admin/faults") == (200, {"rules": []})

    rule = {"operation": "ListStreams", "error": "ServiceUnavailable", "error_rate": 1}
    status, body = admin(admin_port, "POST", "/admin/faults", {"rules": [rule]})
    assert status == 200 and body["rules"][0]["error"] == "ServiceUnavailable"
    kinesis = e2e.client(server.endpoint)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        kinesis.list_streams()
    assert err.value.response["Error"]["Code"] == "ServiceUnavailable"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503

    assert admin(admin_port, "DELETE", "/admin/faults") == (200, {"rules": []})
    assert kinesis.list_streams()["StreamNames"] == []
    assert admin(admin_port, "GET", "/admin/nothing")[0] == 404
    server.stop()


def test_put_records_with_injected_record_failures_and_a_producer_that_retries_them(spawn, tmp_path):
    rules = tmp_path / "faults.json"
    rules.write_text(json.dumps({"rules": [{"operation": "PutRecords", "error": "ProvisionedThroughputExceededException",
                                            "record_error_rate": 0.4, "seed": 7}]}))
    server = spawn("--faults", str(rules), "--durability", "os")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "partial", 1)
    pending = [{"PartitionKey": "k%d" % i, "Data": b"%03d" % i} for i in range(200)]
    rounds = 0
    saw_partial = False
    while pending:
        rounds += 1
        assert rounds < 50, "the failures never cleared"
        resp = kinesis.put_records(StreamName="partial", Records=pending)
        failed = [entry for entry, result in zip(pending, resp["Records"]) if "ErrorCode" in result]
        assert resp["FailedRecordCount"] == len(failed)
        for result in resp["Records"]:
            if "ErrorCode" in result:
                assert result["ErrorCode"] == "ProvisionedThroughputExceededException"
                assert result["ErrorMessage"] == "Rate exceeded for stream partial under account 000000000000."
        saw_partial = saw_partial or 0 < len(failed) < len(pending)
        pending = failed
    assert saw_partial and rounds > 1
    stored = sorted(r["Data"] for r in e2e.read_shard(kinesis, "partial", "shardId-000000000000"))
    assert stored == [b"%03d" % i for i in range(200)], "every record exactly once"
    server.stop()


def test_kms_errors_latency_and_dropped_connections(spawn, tmp_path):
    rules = tmp_path / "faults.json"
    rules.write_text(json.dumps({"rules": [
        {"operation": "GetRecords", "error": "KMSThrottlingException", "error_rate": 1},
        {"operation": "ListStreams", "latency_ms": 400},
        {"operation": "DescribeLimits", "drop_rate": 1},
        {"operation": "PutRecord", "drop_rate": 1, "drop_when": "after"},
    ]}))
    server = spawn("--faults", str(rules), "--durability", "os")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "faulty", 1)

    iterator = kinesis.get_shard_iterator(StreamName="faulty", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    with pytest.raises(kinesis.exceptions.KMSThrottlingException):
        kinesis.get_records(ShardIterator=iterator)

    began = time.monotonic()
    assert "faulty" in kinesis.list_streams()["StreamNames"]
    assert time.monotonic() - began >= 0.4

    with pytest.raises((botocore.exceptions.ConnectionClosedError, botocore.exceptions.EndpointConnectionError)):
        kinesis.describe_limits()
    # Over HTTP/2 the whole connection goes: curl reports it, the server serves on.
    out = subprocess.run(["curl", "--silent", "--http2-prior-knowledge", "--output", "/dev/null",
                          "--write-out", "%{http_code}", "-H", "X-Amz-Target: Kinesis_20131202.DescribeLimits",
                          "-H", "Content-Type: application/x-amz-json-1.1", "--data", "{}", server.endpoint + "/"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and out.stdout == "000", (out.returncode, out.stdout, out.stderr)
    # "after": the call was applied, then the connection dropped; the record is there.
    with pytest.raises((botocore.exceptions.ConnectionClosedError, botocore.exceptions.EndpointConnectionError)):
        kinesis.put_record(StreamName="faulty", PartitionKey="k", Data=b"applied")
    e2e.assert_alive(server.endpoint)

    # The rules go away with the file's server; a plain server reads the record back.
    server.stop()
    plain = spawn(data_dir=server.data_dir)
    kinesis = e2e.client(plain.endpoint)
    assert [r["Data"] for r in e2e.read_shard(kinesis, "faulty", "shardId-000000000000")] == [b"applied"]
    plain.stop()


def test_answers_held_back_by_latency_go_out_when_the_server_stops(spawn, tmp_path):
    """SIGTERM with an answer held back for a minute: it is sent at once, the server exits cleanly."""
    rules = tmp_path / "faults.json"
    rules.write_text(json.dumps({"rules": [{"operation": "ListStreams", "latency_ms": 60000}]}))
    server = spawn("--faults", str(rules))
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("POST", "/", body=b"{}", headers={
        "X-Amz-Target": "Kinesis_20131202.ListStreams", "Content-Type": "application/x-amz-json-1.1"})

    def held_back() -> bool:
        # Our connection and the scrape's are open.
        with urllib.request.urlopen(f"{server.endpoint}/metrics", timeout=5) as resp:
            text = resp.read().decode()
        m = re.search(r'^sluice_open_connections\{version="1.1",tls="false"\} (\d+)$', text, re.M)
        return m is not None and int(m.group(1)) >= 2

    e2e.wait_until(held_back, 10, "the held-back call's connection")
    began = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    resp = conn.getresponse()
    assert resp.status == 200
    assert json.loads(resp.read())["StreamNames"] == []
    assert time.monotonic() - began < 4, "answered at shutdown, not after the minute or the drain"
    conn.close()
    assert server.stop() == 0


def test_a_bad_faults_file_stops_the_start(tmp_path):
    rules = tmp_path / "faults.json"
    rules.write_text('{"rules": [{"error": "Teapot", "error_rate": 1}]}')
    proc = subprocess.run([e2e.SLUICE_BIN, "serve", "--port", "0", "--durability", "memory", "--faults", str(rules)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert 'fault rule 0: unknown error "Teapot"' in proc.stderr + proc.stdout
