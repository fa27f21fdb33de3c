"""Signature Version 4 verification (`--auth FILE`): boto3 and the AWS CLI with the right keys
succeed, in the account the credentials file names and the region of the credential scope;
a wrong secret, an unknown key, a skewed clock, a tampered body and a missing signature each get
the service's error."""

from __future__ import annotations

import json
import os
import subprocess
import unittest.mock
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import pytest

import sluice_e2e as e2e

CREDENTIALS = """\
# two profiles; the second names its account
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = default-secret

[team]
aws_access_key_id=AKIDTEAM
aws_secret_access_key=team-secret
aws_account_id=123456789012
"""


def signed_client(endpoint: str, key: str, secret: str, region: str = e2e.REGION):
    cfg = botocore.config.Config(region_name=region, connect_timeout=5, read_timeout=30,
                                 retries={"total_max_attempts": 1})
    return boto3.session.Session().client(
        "kinesis", endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret,
        region_name=region, config=cfg)


def error_of(call) -> tuple[str, str]:
    with pytest.raises(Exception) as info:
        call()
    err = info.value.response["Error"]
    return err["Code"], err["Message"]


@pytest.fixture
def auth_server(spawn, tmp_path):
    path = tmp_path / "credentials"
    path.write_text(CREDENTIALS)
    return spawn("--auth", str(path))


def test_right_keys_work_and_choose_account_and_region(auth_server):
    ep = auth_server.endpoint
    default = signed_client(ep, "AKIDDEFAULT", "default-secret")
    default.create_stream(StreamName="s", ShardCount=1)
    arn = default.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
    assert arn == f"arn:aws:kinesis:{e2e.REGION}:000000000000:stream/s"

    team = signed_client(ep, "AKIDTEAM", "team-secret")
    team.create_stream(StreamName="s", ShardCount=1)
    assert team.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"] == \
        f"arn:aws:kinesis:{e2e.REGION}:123456789012:stream/s"

    # The same name in another region is another stream, holding its own data.
    west = signed_client(ep, "AKIDTEAM", "team-secret", region="eu-west-1")
    west.create_stream(StreamName="s", ShardCount=1)
    e2e.wait_active(west, "s")
    team.put_record(StreamName="s", PartitionKey="k", Data=b"east")
    west.put_record(StreamName="s", PartitionKey="k", Data=b"west")
    for c, want in ((team, b"east"), (west, b"west")):
        it = c.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        assert [r["Data"] for r in c.get_records(ShardIterator=it)["Records"]] == [want]
    assert west.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"] == \
        "arn:aws:kinesis:eu-west-1:123456789012:stream/s"


def test_the_aws_cli_with_right_and_wrong_keys(auth_server, tmp_path):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDDEFAULT", AWS_SECRET_ACCESS_KEY="default-secret",
               AWS_DEFAULT_REGION=e2e.REGION, AWS_PAGER="", AWS_MAX_ATTEMPTS="1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    ok = subprocess.run(["aws", "--endpoint-url", auth_server.endpoint, "kinesis", "list-streams",
                         "--output", "json"], env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["StreamNames"] == []
    env["AWS_SECRET_ACCESS_KEY"] = "wrong"
    bad = subprocess.run(["aws", "--endpoint-url", auth_server.endpoint, "kinesis", "list-streams"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0
    assert "InvalidSignatureException" in bad.stderr


def test_wrong_secret_unknown_key_and_missing_signature(auth_server):
    ep = auth_server.endpoint
    code, message = error_of(lambda: signed_client(ep, "AKIDDEFAULT", "wrong").list_streams())
    assert code == "InvalidSignatureException"
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    code, message = error_of(lambda: signed_client(ep, "AKIDNOBODY", "x").list_streams())
    assert (code, message) == ("UnrecognizedClientException", "The security token included in the request is invalid.")

    req = urllib.request.Request(ep + "/", data=b"{}", method="POST", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"})
    try:
        urllib.request.urlopen(req, timeout=10)
        raise AssertionError("an unsigned request was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 400
        assert json.loads(e.read())["__type"] == "MissingAuthenticationTokenException"


def sign(endpoint: str, body: bytes, key: str, secret: str, when=None) -> botocore.awsrequest.AWSRequest:
    req = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"})
    auth = botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), "kinesis", e2e.REGION)
    if when is None:
        auth.add_auth(req)
        return req
    # botocore signs at botocore.auth.get_current_datetime(): sign at `when` instead.
    with unittest.mock.patch.object(botocore.auth, "get_current_datetime", lambda: when):
        auth.add_auth(req)
    return req


def send(req: botocore.awsrequest.AWSRequest, body: bytes):
    raw = urllib.request.Request(req.url, data=body, method="POST", headers=dict(req.headers.items()))
    try:
        with urllib.request.urlopen(raw, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_a_tampered_body_and_a_skewed_clock_are_refused(auth_server):
    import datetime
    ep = auth_server.endpoint
    body = b"{}"
    status, out = send(sign(ep, body, "AKIDDEFAULT", "default-secret"), body)
    assert status == 200 and "StreamNames" in out
    signed = sign(ep, body, "AKIDDEFAULT", "default-secret")
    status, out = send(signed, b'{"Limit":1}')
    assert (status, out["__type"]) == (400, "InvalidSignatureException")
    past = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=6)
    status, out = send(sign(ep, body, "AKIDDEFAULT", "default-secret", when=past), body)
    assert (status, out["__type"]) == (400, "InvalidSignatureException")
    assert out["message"].startswith("Signature expired:"), out["message"]


def test_a_credentials_file_that_does_not_parse_stops_the_start(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[p]\naws_access_key_id = A\n")
    proc = subprocess.run([e2e.SLUICE_BIN, "serve", "--port", "0", "--durability", "memory", "--auth", str(path)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert "credentials" in proc.stderr + proc.stdout


def test_without_auth_the_credential_scope_picks_region_and_account(spawn):
    """Any credentials are accepted; the signature's region and a 12-digit access key choose the
    namespace (otherwise the configured account)."""
    server = spawn()
    ep = server.endpoint
    east = signed_client(ep, "AKIDANYTHING", "whatever")
    west = signed_client(ep, "AKIDANYTHING", "whatever", region="eu-west-1")
    other_account = signed_client(ep, "210987654321", "whatever", region="eu-west-1")
    for c in (east, west, other_account):
        c.create_stream(StreamName="same", ShardCount=1)
        e2e.wait_active(c, "same")
    arns = [c.describe_stream_summary(StreamName="same")["StreamDescriptionSummary"]["StreamARN"]
            for c in (east, west, other_account)]
    assert arns == ["arn:aws:kinesis:us-east-1:000000000000:stream/same",
                    "arn:aws:kinesis:eu-west-1:000000000000:stream/same",
                    "arn:aws:kinesis:eu-west-1:210987654321:stream/same"]
    for c, data in ((east, b"e"), (west, b"w"), (other_account, b"o")):
        c.put_record(StreamName="same", PartitionKey="k", Data=data)
    for c, data in ((east, b"e"), (west, b"w"), (other_account, b"o")):
        it = c.get_shard_iterator(StreamName="same", ShardId="shardId-000000000000",
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        assert [r["Data"] for r in c.get_records(ShardIterator=it)["Records"]] == [data]
    assert [s for s in west.list_streams()["StreamNames"]] == ["same"]
    # Deleting in one namespace leaves the others.
    west.delete_stream(StreamName="same")
    assert east.describe_stream_summary(StreamName="same")["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE"
