"""The DynamoDB calls the Kinesis Client Library's lease code makes (LeaseRefresher in KCL 2.x
and 3.x), issued with boto3 in the same shape, against a real server; and the durability of
acknowledged table writes across kill -9."""

import boto3
import botocore.config
import botocore.exceptions
import pytest

import sluice_e2e as e2e


def lease_table(ddb, name):
    """createLeaseTableIfNotExists: leaseKey HASH S, on demand; then waits for ACTIVE."""
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "leaseKey", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "leaseKey", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=False)
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"


def new_lease(shard):
    return {"leaseKey": {"S": shard}, "leaseCounter": {"N": "0"}, "checkpoint": {"S": "TRIM_HORIZON"},
            "checkpointSubSequenceNumber": {"N": "0"}, "ownerSwitchesSinceCheckpoint": {"N": "0"},
            "parentShardId": {"SS": ["shardId-parent"]}}


def test_the_kcl_lease_lifecycle(endpoint):
    ddb = e2e.client(endpoint.url, service="dynamodb")
    name = e2e.unique_name("kcl-app")
    # KCL 3.x probes tables that must not exist yet.
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_table(TableName=name + "-CoordinatorState")
    lease_table(ddb, name)
    # isLeaseTableEmpty
    assert ddb.scan(TableName=name, Limit=1)["Items"] == []
    # createLeaseIfNotExists, twice: the second is refused by its Expected.
    for shard in ("shardId-000000000000", "shardId-000000000001"):
        ddb.put_item(TableName=name, Item=new_lease(shard), Expected={"leaseKey": {"Exists": False}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=name, Item=new_lease("shardId-000000000000"),
                     Expected={"leaseKey": {"Exists": False}})
    lease = {"leaseKey": {"S": "shardId-000000000000"}}
    # takeLease: counter must match; owner set; counter and owner switches incremented.
    ddb.update_item(TableName=name, Key=lease, Expected={"leaseCounter": {"Value": {"N": "0"}}},
                    AttributeUpdates={"leaseOwner": {"Action": "PUT", "Value": {"S": "worker-1"}},
                                      "leaseCounter": {"Action": "ADD", "Value": {"N": "1"}},
                                      "ownerSwitchesSinceCheckpoint": {"Action": "ADD", "Value": {"N": "1"}}})
    # renewLease by the owner with the counter it last saw, returning the new lease (3.x).
    renewed = ddb.update_item(TableName=name, Key=lease,
                              Expected={"leaseCounter": {"Value": {"N": "1"}},
                                        "leaseOwner": {"Value": {"S": "worker-1"}}},
                              AttributeUpdates={"leaseCounter": {"Action": "ADD", "Value": {"N": "1"}}},
                              ReturnValues="ALL_NEW")["Attributes"]
    assert renewed["leaseCounter"] == {"N": "2"} and renewed["leaseOwner"] == {"S": "worker-1"}
    # A renewal with a stale counter loses.
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.update_item(TableName=name, Key=lease, Expected={"leaseCounter": {"Value": {"N": "1"}}},
                        AttributeUpdates={"leaseCounter": {"Action": "ADD", "Value": {"N": "1"}}})
    # updateLease (checkpoint) with an expression, as KCL 3.x writes it.
    ddb.update_item(TableName=name, Key=lease,
                    ConditionExpression="attribute_exists(leaseKey) AND leaseCounter = :c AND leaseOwner = :o",
                    UpdateExpression="SET checkpoint = :cp, leaseCounter = leaseCounter + :one "
                                     "REMOVE pendingCheckpoint",
                    ExpressionAttributeValues={":c": {"N": "2"}, ":o": {"S": "worker-1"},
                                               ":cp": {"S": "49590338271490256608559692538361571095921575989136588898"},
                                               ":one": {"N": "1"}})
    # getLease, consistently.
    got = ddb.get_item(TableName=name, Key=lease, ConsistentRead=True)["Item"]
    assert got["leaseCounter"] == {"N": "3"}
    assert got["checkpoint"]["S"].startswith("4959")
    # evictLease: owner removed, counter incremented, only if still the owner.
    ddb.update_item(TableName=name, Key=lease, Expected={"leaseOwner": {"Value": {"S": "worker-1"}}},
                    AttributeUpdates={"leaseOwner": {"Action": "DELETE"},
                                      "leaseCounter": {"Action": "ADD", "Value": {"N": "1"}}})
    assert "leaseOwner" not in ddb.get_item(TableName=name, Key=lease)["Item"]
    # listLeases: a scan paged with Limit.
    seen, start = [], None
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        page = ddb.scan(TableName=name, Limit=1, **kw)
        seen += [i["leaseKey"]["S"] for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(seen) == ["shardId-000000000000", "shardId-000000000001"]
    # The 3.x lease-owner index: added by UpdateTable, queried by owner.
    ddb.update_table(TableName=name,
                     AttributeDefinitions=[{"AttributeName": "leaseOwner", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {
                         "IndexName": "LeaseOwnerToLeaseKeyIndex",
                         "KeySchema": [{"AttributeName": "leaseOwner", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
    ddb.update_item(TableName=name, Key={"leaseKey": {"S": "shardId-000000000001"}},
                    AttributeUpdates={"leaseOwner": {"Action": "PUT", "Value": {"S": "worker-2"}}})
    owned = ddb.query(TableName=name, IndexName="LeaseOwnerToLeaseKeyIndex",
                      KeyConditionExpression="leaseOwner = :o", ExpressionAttributeValues={":o": {"S": "worker-2"}})
    assert owned["Items"] == [{"leaseKey": {"S": "shardId-000000000001"}, "leaseOwner": {"S": "worker-2"}}]
    # deleteLease, only by its owner.
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(TableName=name, Key={"leaseKey": {"S": "shardId-000000000001"}},
                        Expected={"leaseOwner": {"Value": {"S": "worker-1"}}})
    ddb.delete_item(TableName=name, Key={"leaseKey": {"S": "shardId-000000000001"}},
                    Expected={"leaseOwner": {"Value": {"S": "worker-2"}}})
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 1


def test_racing_lease_takers_never_lose_an_increment(endpoint):
    """Workers take a lease the KCL way (read the counter, write counter + 1 only if it is still
    what they read): every acknowledged take must be counted exactly once."""
    import concurrent.futures
    name = e2e.unique_name("race")
    ddb = e2e.client(endpoint.url, service="dynamodb")
    lease_table(ddb, name)
    ddb.put_item(TableName=name, Item=new_lease("shard-0"))
    key = {"leaseKey": {"S": "shard-0"}}

    def worker(n):
        client = e2e.client(endpoint.url, service="dynamodb")
        wins = 0
        for _ in range(40):
            counter = client.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"]["leaseCounter"]
            try:
                client.update_item(TableName=name, Key=key, Expected={"leaseCounter": {"Value": counter}},
                                   AttributeUpdates={"leaseCounter": {"Action": "ADD", "Value": {"N": "1"}},
                                                     "leaseOwner": {"Action": "PUT", "Value": {"S": f"w{n}"}}})
                wins += 1
            except client.exceptions.ConditionalCheckFailedException:
                pass
        return wins

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        wins = sum(pool.map(worker, range(4)))
    final = ddb.get_item(TableName=name, Key=key)["Item"]["leaseCounter"]["N"]
    assert int(final) == wins and wins >= 40


def test_acknowledged_table_writes_survive_kill_9(spawn):
    server = spawn()
    ddb = e2e.client(server.endpoint, service="dynamodb")
    lease_table(ddb, "leases")
    ddb.update_time_to_live(TableName="leases", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    for i in range(40):
        ddb.put_item(TableName="leases", Item=new_lease(f"shard-{i}"), Expected={"leaseKey": {"Exists": False}})
    for _ in range(25):
        ddb.update_item(TableName="leases", Key={"leaseKey": {"S": "shard-0"}},
                        AttributeUpdates={"leaseCounter": {"Action": "ADD", "Value": {"N": "1"}}})
    ddb.delete_item(TableName="leases", Key={"leaseKey": {"S": "shard-39"}})
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": "leases", "Key": {"leaseKey": {"S": "shard-1"}},
                    "UpdateExpression": "SET leaseOwner = :o", "ExpressionAttributeValues": {":o": {"S": "w"}}}},
        {"Delete": {"TableName": "leases", "Key": {"leaseKey": {"S": "shard-2"}}}}])
    server.kill9()
    server.restart()
    ddb = e2e.client(server.endpoint, service="dynamodb")
    items = ddb.scan(TableName="leases")["Items"]
    assert sorted(i["leaseKey"]["S"] for i in items) == sorted(f"shard-{i}" for i in range(40) if i not in (2, 39))
    by_key = {i["leaseKey"]["S"]: i for i in items}
    assert by_key["shard-0"]["leaseCounter"] == {"N": "25"}
    assert by_key["shard-1"]["leaseOwner"] == {"S": "w"}
    assert ddb.describe_time_to_live(TableName="leases")["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    # The table goes on taking conditional writes after the restart.
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName="leases", Item=new_lease("shard-0"), Expected={"leaseKey": {"Exists": False}})
    ddb.put_item(TableName="leases", Item=new_lease("shard-39"), Expected={"leaseKey": {"Exists": False}})


def signed(endpoint, secret):
    return boto3.session.Session().client(
        "dynamodb", endpoint_url=endpoint, region_name=e2e.REGION, aws_access_key_id="AKIDDYNAMO",
        aws_secret_access_key=secret, config=botocore.config.Config(retries={"total_max_attempts": 1}))


def test_tables_are_signed_as_dynamodb_under_auth(spawn, tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("[default]\naws_access_key_id = AKIDDYNAMO\naws_secret_access_key = right\n")
    server = spawn("--auth", str(creds))
    lease_table(signed(server.endpoint, "right"), "signed")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        signed(server.endpoint, "wrong").describe_table(TableName="signed")
    assert e.value.response["Error"]["Code"] == "InvalidSignatureException"
