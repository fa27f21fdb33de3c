"""The console's files and JSON API over HTTP (the browser tests are js/console.test.mjs), and no
console where signatures are verified."""

from __future__ import annotations

import base64
import http.client
import json
from urllib.parse import urlparse

import sluice_e2e as e2e


def get(endpoint: str, target: str, header: str = "Content-Type") -> tuple:
    u = urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        conn.request("GET", target)
        resp = conn.getresponse()
        return resp.status, resp.getheader(header), resp.read()
    finally:
        conn.close()


def test_console_files_and_api(spawn):
    server = spawn("--durability", "memory")
    # A browser opening the root is sent to the console.
    assert get(server.endpoint, "/", "Location")[:2] == (302, "/console/")
    status, ctype, body = get(server.endpoint, "/console/")
    assert status == 200 and ctype.startswith("text/html")
    assert b"/console/console.js" in body
    # Nothing is loaded from elsewhere: every src and href is local.
    assert b"http://" not in body and b"https://" not in body
    status, ctype, body = get(server.endpoint, "/console/console.js")
    assert status == 200 and ctype.startswith("text/javascript")
    assert b"http://" not in body and b"https://" not in body

    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "viewed", 3)
    for i in range(4):
        kinesis.put_record(StreamName="viewed", PartitionKey="k", ExplicitHashKey="0", Data=b"d%d" % i)
    status, _, body = get(server.endpoint, "/console/api/streams")
    assert status == 200
    streams = {s["name"]: s for s in json.loads(body)["streams"]}
    assert streams["viewed"]["open_shards"] == 3
    assert streams["viewed"]["in_records"] == 4 and streams["viewed"]["in_bytes"] == 8
    status, _, body = get(server.endpoint, "/console/api/stream?name=viewed")
    assert status == 200
    counters = json.loads(body)["shard_counters"]
    assert [c[0] for c in counters] == [f"shardId-00000000000{i}" for i in range(3)]
    assert [c[2] for c in counters] == [4, 0, 0]
    status, _, body = get(server.endpoint, "/console/api/records?stream=viewed&shard=shardId-000000000000&n=3")
    assert status == 200
    assert [base64.b64decode(r["data"]) for r in json.loads(body)["records"]] == [b"d1", b"d2", b"d3"]
    server.stop()


def test_no_console_with_auth(spawn, tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[default]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n")
    server = spawn("--auth", str(path))
    for target in ("/", "/console/", "/console/api/streams"):
        status, ctype, _ = get(server.endpoint, target)
        assert status == 403 and ctype == "application/xml", target
    server.stop()
