"""DynamoDB on Sluice's port: tables (boto3, a real server). Create, describe, update, delete,
list with paging, time to live and continuous backups, and the service's errors."""

import botocore.exceptions
import pytest

import sluice_e2e as e2e


@pytest.fixture(scope="module")
def ddb(endpoint):
    return e2e.client(endpoint.url, service="dynamodb")


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def create(ddb, name, **kw):
    args = dict(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST",
    )
    args.update(kw)
    return ddb.create_table(**args)["TableDescription"]


def test_a_created_table_is_active_at_once_with_its_arn_and_billing(ddb):
    name = e2e.unique_name("ddb")
    created = create(ddb, name, Tags=[{"Key": "team", "Value": "a"}], DeletionProtectionEnabled=False)
    assert created["TableStatus"] == "ACTIVE"
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert table["ItemCount"] == 0 and table["TableSizeBytes"] == 0
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "xyz"}})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ItemCount"] == 1 and table["TableSizeBytes"] > 0
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 2})


def test_a_provisioned_table_reports_its_throughput(ddb):
    name = e2e.unique_name("ddb")
    create(ddb, name, BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5,
                                                                       "WriteCapacityUnits": 7})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    assert "BillingModeSummary" not in table


def test_a_second_table_of_the_same_name_is_in_use(ddb):
    name = e2e.unique_name("ddb")
    create(ddb, name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(ddb, name)
    assert error_of(e) == ("ResourceInUseException", f"Table already exists: {name}")


def test_a_missing_table_is_not_found(ddb):
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as e:
        ddb.describe_table(TableName="no-such-table")
    assert error_of(e)[1] == "Requested resource not found: Table: no-such-table not found"
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as e:
        ddb.get_item(TableName="no-such-table", Key={"pk": {"S": "a"}})
    assert error_of(e)[1] == "Requested resource not found"


def test_bad_definitions_get_the_service_messages(ddb):
    name = e2e.unique_name("ddb")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    assert error_of(e)[0] == "ValidationException"
    assert "Some index key attributes are not defined in AttributeDefinitions" in error_of(e)[1]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    assert error_of(e) == ("ValidationException",
                           "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
                           "must both be specified when BillingMode is PROVISIONED")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(ddb, "ab")
    assert error_of(e)[0] == "ValidationException"
    assert "Member must have length greater than or equal to 3" in error_of(e)[1]


def test_deletion_protection_refuses_delete_until_it_is_turned_off(ddb):
    name = e2e.unique_name("ddb")
    create(ddb, name, DeletionProtectionEnabled=True)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.delete_table(TableName=name)
    assert error_of(e)[0] == "ValidationException"
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_table(TableName=name)


def test_list_tables_pages_by_exclusive_start_name(ddb):
    prefix = e2e.unique_name("lst")
    names = sorted(f"{prefix}-{i}" for i in range(5))
    for n in names:
        create(ddb, n)
    seen, start = [], None
    while True:
        kw = {"Limit": 2}
        if start:
            kw["ExclusiveStartTableName"] = start
        page = ddb.list_tables(**kw)
        assert len(page["TableNames"]) <= 2
        seen += page["TableNames"]
        start = page.get("LastEvaluatedTableName")
        if not start:
            break
    assert [n for n in seen if n.startswith(prefix)] == names
    assert seen == sorted(seen)


def test_a_global_secondary_index_is_created_queried_and_deleted_by_update_table(ddb):
    name = e2e.unique_name("ddb")
    create(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "owner": {"S": "w1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"N": "1"}, "owner": {"S": "w1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "c"}, "sk": {"N": "1"}, "owner": {"S": "w2"}})
    table = ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "owner", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by-owner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}}])["TableDescription"]
    assert table["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    got = ddb.query(TableName=name, IndexName="by-owner", KeyConditionExpression="#o = :o",
                    ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "w1"}})
    assert sorted(i["pk"]["S"] for i in got["Items"]) == ["a", "b"]
    assert all(set(i) == {"pk", "sk", "owner"} for i in got["Items"])
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 3
    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-owner"}}])
    table = ddb.describe_table(TableName=name)["Table"]
    assert "GlobalSecondaryIndexes" not in table
    assert {a["AttributeName"] for a in table["AttributeDefinitions"]} == {"pk", "sk"}


def test_time_to_live_and_continuous_backups_keep_their_state(ddb):
    name = e2e.unique_name("ddb")
    create(ddb, name)
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    backups = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    backups = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_operations_not_served_are_unknown(ddb):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.describe_endpoints()
    assert e.value.response["Error"]["Code"] == "UnknownOperationException"


def test_tables_belong_to_their_region(endpoint):
    east = e2e.client(endpoint.url, service="dynamodb")
    west = e2e.client(endpoint.url, service="dynamodb", region="eu-west-1")
    name = e2e.unique_name("ddb")
    create(east, name)
    assert name not in west.list_tables()["TableNames"]
    with pytest.raises(west.exceptions.ResourceNotFoundException):
        west.describe_table(TableName=name)
