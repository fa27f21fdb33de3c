"""Logs: JSON lines with --log-format json, request lines only with --log-requests."""

from __future__ import annotations

import json

import sluice_e2e as e2e


def json_lines(log: str) -> list:
    """Every line the server wrote, each parsed as one JSON object (fails on any other line)."""
    out = []
    for line in log.splitlines():
        if line.startswith("--- start"):  # the harness's own marker
            continue
        obj = json.loads(line)
        assert isinstance(obj, dict), line
        assert {"time", "level", "msg"} <= set(obj), line
        assert obj["level"] in ("debug", "info", "warn", "error"), line
        out.append(obj)
    return out


def test_json_format_with_request_lines(spawn):
    server = spawn("--log-format", "json", "--log-requests")
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "logged", 1)
    kinesis.put_record(StreamName="logged", PartitionKey="k", Data=b"x")
    try:
        kinesis.describe_stream(StreamName="missing-stream")
    except kinesis.exceptions.ResourceNotFoundException:
        pass
    else:
        raise AssertionError("DescribeStream of a missing stream succeeded")

    def request_lines():
        return [o for o in json_lines(server.log) if o["msg"] == "request"]

    e2e.wait_until(lambda: any(o["operation"] == "DescribeStream" for o in request_lines()), 10,
                   "the DescribeStream request line")
    server.stop()
    lines = json_lines(server.log)
    assert any("listening on" in o["msg"] for o in lines)
    assert any(o["msg"] == "sluice stopped" for o in lines)
    created = [o for o in lines if o["msg"] == "engine: stream state" and o["stream"] == "logged"]
    assert created and created[0]["to"] == "ACTIVE", created
    requests = [o for o in lines if o["msg"] == "request"]
    put = [o for o in requests if o["operation"] == "PutRecord"]
    assert len(put) == 1, requests
    assert put[0]["stream"] == "logged" and put[0]["status"] == 200 and put[0]["error"] == ""
    assert isinstance(put[0]["latency_ms"], (int, float)) and put[0]["latency_ms"] >= 0
    missing = [o for o in requests if o["operation"] == "DescribeStream"]
    assert len(missing) == 1, requests
    assert missing[0]["stream"] == "missing-stream"
    assert missing[0]["status"] == 400 and missing[0]["error"] == "ResourceNotFoundException"


def test_no_request_lines_by_default(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "quiet", 1)
    for i in range(5):
        kinesis.put_record(StreamName="quiet", PartitionKey="k", Data=b"%d" % i)
    server.stop()
    assert " INFO request " not in server.log
    assert "engine: stream state stream=quiet account=000000000000 region=us-east-1 from=\"\" to=ACTIVE" \
        in server.log, server.log
    assert "listening on 127.0.0.1:" in server.log



def test_log_settings_from_environment_variables(spawn):
    server = spawn(env={"SLUICE_LOG_FORMAT": "json", "SLUICE_LOG_REQUESTS": "true"})
    kinesis = e2e.client(server.endpoint)
    kinesis.list_streams()
    e2e.wait_until(lambda: any(o["msg"] == "request" and o["operation"] == "ListStreams"
                               for o in json_lines(server.log)), 10, "the ListStreams request line")
    server.stop()
