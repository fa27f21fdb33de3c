"""TLS (`--tls`): boto3 over HTTPS trusting the self-signed certificate the server made, the same
port still answering plain HTTP, the certificate kept across restarts, curl over HTTPS, and the
AWS CLI with `--no-verify-ssl` and with `--ca-bundle`."""

from __future__ import annotations

import base64
import os
import re
import ssl
import subprocess
import urllib.request

import boto3
import botocore.config

import sluice_e2e as e2e

CERT_RE = re.compile(r"TLS certificate (\S+) \((self-signed, made now|loaded)\), SHA-256 ([0-9A-F:]{95})")


def tls_info(server: e2e.SluiceServer) -> tuple[str, str, str]:
    """(certificate path, how it came, fingerprint) from the last start's log line."""
    found = CERT_RE.findall(server.log)
    assert found, f"no TLS certificate line in the log:\n{server.log}"
    return found[-1]


def https_client(port: int, cert_path: str):
    cfg = botocore.config.Config(region_name=e2e.REGION, connect_timeout=5, read_timeout=30,
                                 retries={"total_max_attempts": 1})
    return boto3.session.Session().client(
        "kinesis", endpoint_url=f"https://localhost:{port}", verify=cert_path,
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        region_name=e2e.REGION, config=cfg)


def test_boto3_over_https_with_the_generated_certificate(spawn):
    server = spawn("--tls")
    cert_path, how, fingerprint = tls_info(server)
    assert how == "self-signed, made now"
    assert cert_path.startswith(server.data_dir)

    kinesis = https_client(server.port, cert_path)
    e2e.create_stream(kinesis, "tls", 1)
    kinesis.put_records(StreamName="tls", Records=[{"PartitionKey": "k", "Data": b"t%d" % i} for i in range(20)])
    records = e2e.read_shard(kinesis, "tls", "shardId-000000000000")
    assert [r["Data"] for r in records] == [b"t%d" % i for i in range(20)]

    # The same port still speaks plain HTTP.
    assert e2e.health_status(server.endpoint) == 200
    plain = e2e.client(server.endpoint)
    assert plain.describe_stream_summary(StreamName="tls")["StreamDescriptionSummary"]["OpenShardCount"] == 1

    # Python's own TLS stack, with the certificate as the only CA, for 127.0.0.1 too.
    context = ssl.create_default_context(cafile=cert_path)
    with urllib.request.urlopen(f"https://127.0.0.1:{server.port}/health", context=context, timeout=5) as resp:
        assert resp.status == 200

    # curl (scripts/bootstrap installs it) over HTTP/1.1, trusting only the made certificate.
    out = subprocess.run(
        ["curl", "--silent", "--show-error", "--http1.1", "--cacert", cert_path,
         "--write-out", "%{http_code}", "--output", "/dev/null",
         f"https://127.0.0.1:{server.port}/health"],
        capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "200"

    # Restarted on the same data dir: the same certificate.
    server.stop()
    server.restart()
    cert_again, how_again, fingerprint_again = tls_info(server)
    assert (cert_again, how_again, fingerprint_again) == (cert_path, "loaded", fingerprint)
    again = https_client(server.port, cert_path)
    assert [r["Data"] for r in e2e.read_shard(again, "tls", "shardId-000000000000")][:1] == [b"t0"]
    server.stop()


def test_the_aws_cli_over_https(spawn, tmp_path):
    server = spawn("--tls")
    cert_path, _, _ = tls_info(server)
    url = f"https://localhost:{server.port}"
    blob = bytes(range(256))
    (tmp_path / "blob.bin").write_bytes(blob)

    # Without either option the CLI checks the certificate against its own CA bundle and refuses
    # the self-signed one, so the runs below show that the options are what makes them work.
    _, refused = e2e.aws_cli(url, "list-streams", check=False)
    assert refused.returncode != 0
    assert b"CERTIFICATE_VERIFY_FAILED" in refused.stderr, refused.stderr.decode()

    for label, trust in (("no-verify", ("--no-verify-ssl",)), ("ca-bundle", ("--ca-bundle", cert_path))):
        name = f"cli-tls-{label}"
        out, _ = e2e.aws_cli(url, "create-stream", "--stream-name", name, "--shard-count", "1", *trust)
        assert out is None  # CreateStream has no output
        e2e.aws_cli(url, "wait", "stream-exists", "--stream-name", name, *trust)
        out, _ = e2e.aws_cli(url, "describe-stream-summary", "--stream-name", name, *trust)
        summary = out["StreamDescriptionSummary"]
        assert (summary["StreamName"], summary["StreamStatus"], summary["OpenShardCount"]) == (name, "ACTIVE", 1)

        text = f"over TLS with {label}"
        first, _ = e2e.aws_cli(url, "put-record", "--stream-name", name, "--partition-key", "k1",
                               "--data", text, *trust)
        assert first["ShardId"] == "shardId-000000000000"
        assert re.fullmatch(r"\d{56}", first["SequenceNumber"])
        second, _ = e2e.aws_cli(url, "put-record", "--stream-name", name, "--partition-key", "k2",
                                "--data", f"fileb://{tmp_path / 'blob.bin'}", *trust)
        assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])

        out, _ = e2e.aws_cli(url, "get-shard-iterator", "--stream-name", name, "--shard-id",
                             "shardId-000000000000", "--shard-iterator-type", "TRIM_HORIZON", *trust)
        out, _ = e2e.aws_cli(url, "get-records", "--shard-iterator", out["ShardIterator"], *trust)
        records = out["Records"]
        assert [r["SequenceNumber"] for r in records] == [first["SequenceNumber"], second["SequenceNumber"]]
        assert [r["PartitionKey"] for r in records] == ["k1", "k2"]
        assert [base64.b64decode(r["Data"]) for r in records] == [text.encode(), blob]
        assert out["MillisBehindLatest"] == 0

    out, _ = e2e.aws_cli(url, "list-streams", "--ca-bundle", cert_path)
    assert sorted(out["StreamNames"]) == ["cli-tls-ca-bundle", "cli-tls-no-verify"]
    server.stop()


def test_memory_mode_writes_the_certificate_for_clients(spawn):
    server = spawn("--tls", "--durability", "memory")
    cert_path, how, _ = tls_info(server)
    assert how == "self-signed, made now"
    assert not cert_path.startswith(server.data_dir)
    kinesis = https_client(server.port, cert_path)
    e2e.create_stream(kinesis, "mem-tls", 1)
    kinesis.put_record(StreamName="mem-tls", PartitionKey="k", Data=b"m")
    assert [r["Data"] for r in e2e.read_shard(kinesis, "mem-tls", "shardId-000000000000")] == [b"m"]
    server.stop()
    assert not os.path.exists(cert_path), "the temporary certificate outlived the server"


def test_plaintext_on_a_tls_only_port_does_not_hurt_the_server(spawn, tmp_path):
    tls_port = e2e.free_port()
    server = spawn("--tls", "--tls-port", str(tls_port))
    cert_path, _, _ = tls_info(server)
    # Plain HTTP on the TLS port is refused (no HTTP answer), the server keeps serving.
    try:
        status = e2e.health_status(f"http://127.0.0.1:{tls_port}")
    except Exception:  # noqa: BLE001 - a reset or a protocol error are both the expected refusal
        status = None
    assert status is None
    assert e2e.health_status(server.endpoint) == 200
    context = ssl.create_default_context(cafile=cert_path)
    with urllib.request.urlopen(f"https://localhost:{tls_port}/health", context=context, timeout=5) as resp:
        assert resp.status == 200
    server.stop()
