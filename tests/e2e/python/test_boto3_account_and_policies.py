"""Account settings (minimum throughput billing commitment) and resource policies through boto3
and the AWS CLI: the default, the commitment's window, policies put/replaced/deleted, errors, the
policy of a deleted stream, and everything surviving a restart."""

from __future__ import annotations

import datetime as _dt
import json

import pytest
from botocore.exceptions import ClientError

import sluice_e2e as e2e
from sluice_e2e import requires_sluice

POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": ["kinesis:GetRecords", "kinesis:GetShardIterator"],
        "Resource": "*",
    }],
})


def arn_of(kinesis, name: str) -> str:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def error_of(call, **kw) -> tuple[str, str]:
    with pytest.raises(ClientError) as err:
        call(**kw)
    return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]


# --- resource policies (shared server: each test has its own stream) --------------------------

@requires_sluice("resource policies postdate kinesalite")
def test_policy_is_stored_verbatim_replaced_and_deleted(kinesis, new_stream):
    name = new_stream(1)
    arn = arn_of(kinesis, name)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"
    kinesis.put_resource_policy(ResourceARN=arn, Policy=POLICY)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == POLICY
    replacement = '{ "Version": "2012-10-17", "Statement": [] }'
    kinesis.put_resource_policy(ResourceARN=arn, Policy=replacement)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == replacement
    kinesis.delete_resource_policy(ResourceARN=arn)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"
    assert error_of(kinesis.delete_resource_policy, ResourceARN=arn) == (
        "ResourceNotFoundException", f"No resource policy found for resource ARN {arn}.")


@requires_sluice("resource policies postdate kinesalite")
def test_policy_errors_name_the_missing_resource_or_the_bad_input(kinesis, new_stream, account):
    missing = f"arn:aws:kinesis:{e2e.REGION}:{account}:stream/{e2e.unique_name('gone')}"
    code, message = error_of(kinesis.get_resource_policy, ResourceARN=missing)
    assert code == "ResourceNotFoundException"
    assert message == f"Stream {missing.rsplit('/', 1)[1]} under account {account} not found."

    name = new_stream(1)
    arn = arn_of(kinesis, name)
    consumer = f"{arn}/consumer/c:1700000000"
    assert error_of(kinesis.put_resource_policy, ResourceARN=consumer, Policy=POLICY) == (
        "ResourceNotFoundException", f"Consumer {consumer} not found.")
    code, message = error_of(kinesis.put_resource_policy, ResourceARN=arn, Policy="not json")
    assert code == "InvalidArgumentException"
    assert "JSON object" in message
    code, message = error_of(kinesis.get_resource_policy,
                             ResourceARN=f"arn:aws:kinesis:{e2e.REGION}:{account}:table/x")
    assert code == "ValidationException"
    assert message == (
        f"1 validation error detected: Value 'arn:aws:kinesis:{e2e.REGION}:{account}:table/x' at "
        "'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel|queue)/\\S+")
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"


@requires_sluice("resource policies postdate kinesalite")
def test_a_recreated_stream_starts_without_the_deleted_streams_policy(kinesis, new_stream):
    name = new_stream(1)
    arn = arn_of(kinesis, name)
    kinesis.put_resource_policy(ResourceARN=arn, Policy=POLICY)
    kinesis.delete_stream(StreamName=name)
    e2e.wait_gone(kinesis, name)
    assert error_of(kinesis.get_resource_policy, ResourceARN=arn)[0] == "ResourceNotFoundException"
    e2e.create_stream(kinesis, name, 1)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"


# --- account settings (own server: the settings are the namespace's, shared by every test) ----

def commitment(out: dict) -> dict:
    return out["MinimumThroughputBillingCommitment"]


def test_account_settings_commitment_window_and_validation(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    assert commitment(kinesis.describe_account_settings()) == {"Status": "DISABLED"}

    before = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(seconds=1)
    on = commitment(kinesis.update_account_settings(
        MinimumThroughputBillingCommitment={"Status": "ENABLED"}))
    assert on["Status"] == "ENABLED"
    assert on["StartedAt"] >= before
    assert on["EarliestAllowedEndAt"] - on["StartedAt"] == _dt.timedelta(hours=24)
    assert "EndedAt" not in on
    assert commitment(kinesis.describe_account_settings()) == on

    # Disabling inside the 24 h window keeps the commitment until its earliest end.
    off = commitment(kinesis.update_account_settings(
        MinimumThroughputBillingCommitment={"Status": "DISABLED"}))
    assert off["Status"] == "ENABLED_UNTIL_EARLIEST_ALLOWED_END"
    assert off["StartedAt"] == on["StartedAt"]
    assert off["EndedAt"] == on["EarliestAllowedEndAt"] == off["EarliestAllowedEndAt"]

    # The CLI sees the same state (timestamps as the CLI renders them).
    out, _ = e2e.aws_cli(server.endpoint, "describe-account-settings")
    assert out["MinimumThroughputBillingCommitment"]["Status"] == "ENABLED_UNTIL_EARLIEST_ALLOWED_END"
    assert "EarliestAllowedEndAt" in out["MinimumThroughputBillingCommitment"]

    with pytest.raises(ClientError) as err:
        kinesis.update_account_settings(
            MinimumThroughputBillingCommitment={"Status": "ENABLED_UNTIL_EARLIEST_ALLOWED_END"})
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert err.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'ENABLED_UNTIL_EARLIEST_ALLOWED_END' at "
        "'minimumThroughputBillingCommitment.status' failed to satisfy constraint: Member must satisfy "
        "enum value set: [ENABLED, DISABLED]")


def test_settings_and_policies_survive_a_restart(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "guarded", 1)
    arn = arn_of(kinesis, "guarded")
    kinesis.put_resource_policy(ResourceARN=arn, Policy=POLICY)
    on = commitment(kinesis.update_account_settings(
        MinimumThroughputBillingCommitment={"Status": "ENABLED"}))
    assert server.stop() == 0
    server.restart()
    kinesis = e2e.client(server.endpoint)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == POLICY
    assert commitment(kinesis.describe_account_settings()) == on
