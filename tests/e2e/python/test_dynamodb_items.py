"""DynamoDB on Sluice's port: items (boto3 client and resource APIs, a real server). Put, get,
update, delete with conditions and return values; every expression feature; Query and Scan
with paging; batches; transactions; and the service's errors."""

import decimal

import botocore.exceptions
import pytest
from boto3.dynamodb.conditions import Attr, Key

import sluice_e2e as e2e


@pytest.fixture(scope="module")
def ddb(endpoint):
    return e2e.client(endpoint.url, service="dynamodb")


@pytest.fixture
def table(ddb):
    """A table with a string hash key `pk` and a number range key `sk`."""
    name = e2e.unique_name("items")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST")
    yield name
    ddb.delete_table(TableName=name)


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def key(pk, sk=1):
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


def test_every_type_round_trips(ddb, table):
    item = {**key("types"), "s": {"S": "text"}, "n": {"N": "-12.50"}, "b": {"B": b"\x00\xff"},
            "t": {"BOOL": True}, "z": {"NULL": True}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]},
            "bs": {"BS": [b"x"]}, "l": {"L": [{"S": "x"}, {"N": "1"}]}, "m": {"M": {"k": {"S": "v"}}}}
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(TableName=table, Key=key("types"), ConsistentRead=True)["Item"]
    assert got["n"] == {"N": "-12.5"}  # numbers come back canonical
    assert got["b"] == {"B": b"\x00\xff"}
    assert sorted(got["ns"]["NS"]) == ["1", "2.5"]
    assert {k: v for k, v in got.items() if k not in ("n", "ns")} == \
           {k: v for k, v in item.items() if k not in ("n", "ns")}


def test_numbers_keep_38_digits_through_the_resource_api(endpoint, table):
    import boto3
    resource = boto3.resource("dynamodb", endpoint_url=endpoint.url, region_name="us-east-1",
                              aws_access_key_id="a", aws_secret_access_key="b")
    t = resource.Table(table)
    big = decimal.Decimal("12345678901234567890123456789012345678")
    less = decimal.Decimal("12345678901234567890123456789012345677")  # Python's context would round big - 1
    t.put_item(Item={"pk": "big", "sk": 1, "v": big})
    t.update_item(Key={"pk": "big", "sk": 1}, UpdateExpression="SET v = v - :one",
                  ExpressionAttributeValues={":one": 1})
    assert t.get_item(Key={"pk": "big", "sk": 1})["Item"]["v"] == less
    assert t.query(KeyConditionExpression=Key("pk").eq("big"))["Items"][0]["v"] == less
    assert t.scan(FilterExpression=Attr("v").gt(less))["Count"] == 0
    assert t.scan(FilterExpression=Attr("v").eq(less))["Count"] == 1


def test_get_item_projects_and_misses_quietly(ddb, table):
    ddb.put_item(TableName=table, Item={**key("p"), "a": {"M": {"b": {"L": [{"S": "0"}, {"S": "1"}]}}},
                                        "c": {"S": "c"}})
    got = ddb.get_item(TableName=table, Key=key("p"), ProjectionExpression="#a.b[1], c",
                       ExpressionAttributeNames={"#a": "a"})["Item"]
    assert got == {"a": {"M": {"b": {"L": [{"S": "1"}]}}}, "c": {"S": "c"}}
    assert ddb.get_item(TableName=table, Key=key("p"), AttributesToGet=["c"])["Item"] == {"c": {"S": "c"}}
    assert "Item" not in ddb.get_item(TableName=table, Key=key("absent"))


def test_a_key_that_does_not_match_the_schema_is_refused(ddb, table):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})
    assert error_of(e) == ("ValidationException", "The provided key element does not match the schema")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"S": "1"}})
    assert error_of(e) == ("ValidationException", "The provided key element does not match the schema")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    assert error_of(e) == ("ValidationException",
                           "One or more parameter values were invalid: Missing the key sk in the item")


def test_put_item_conditions_and_return_values(ddb, table):
    ddb.put_item(TableName=table, Item={**key("c"), "v": {"N": "1"}},
                 ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as e:
        ddb.put_item(TableName=table, Item={**key("c"), "v": {"N": "2"}},
                     ConditionExpression="attribute_not_exists(pk)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert error_of(e)[1] == "The conditional request failed"
    assert e.value.response["Item"] == {**key("c"), "v": {"N": "1"}}
    old = ddb.put_item(TableName=table, Item={**key("c"), "v": {"N": "3"}}, ReturnValues="ALL_OLD")
    assert old["Attributes"]["v"] == {"N": "1"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.put_item(TableName=table, Item=key("c"), ReturnValues="ALL_NEW")
    assert error_of(e)[0] == "ValidationException"


def test_update_item_return_values(ddb, table):
    ddb.put_item(TableName=table, Item={**key("u"), "a": {"N": "1"}, "b": {"S": "x"}})
    r = ddb.update_item(TableName=table, Key=key("u"), UpdateExpression="SET a = a + :d",
                        ExpressionAttributeValues={":d": {"N": "4"}}, ReturnValues="UPDATED_OLD")
    assert r["Attributes"] == {"a": {"N": "1"}}
    r = ddb.update_item(TableName=table, Key=key("u"), UpdateExpression="SET a = a + :d",
                        ExpressionAttributeValues={":d": {"N": "4"}}, ReturnValues="UPDATED_NEW")
    assert r["Attributes"] == {"a": {"N": "9"}}
    r = ddb.update_item(TableName=table, Key=key("u"), UpdateExpression="REMOVE b", ReturnValues="ALL_NEW")
    assert r["Attributes"] == {**key("u"), "a": {"N": "9"}}
    r = ddb.update_item(TableName=table, Key=key("u"), UpdateExpression="SET c = :c",
                        ExpressionAttributeValues={":c": {"S": "c"}}, ReturnValues="ALL_OLD")
    assert r["Attributes"] == {**key("u"), "a": {"N": "9"}}
    r = ddb.update_item(TableName=table, Key=key("u"), UpdateExpression="SET c = :c",
                        ExpressionAttributeValues={":c": {"S": "d"}})
    assert "Attributes" not in r


def test_update_item_creates_an_item_from_its_key(ddb, table):
    ddb.update_item(TableName=table, Key=key("new"), UpdateExpression="ADD n :one, s :set",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":set": {"SS": ["x"]}})
    assert ddb.get_item(TableName=table, Key=key("new"))["Item"] == {**key("new"), "n": {"N": "1"},
                                                                     "s": {"SS": ["x"]}}


def test_update_expression_features(ddb, table):
    ddb.put_item(TableName=table, Item={**key("f"), "l": {"L": [{"N": "1"}]}, "s": {"SS": ["a", "b"]},
                                        "m": {"M": {"x": {"N": "1"}}}, "gone": {"S": "g"}})
    ddb.update_item(
        TableName=table, Key=key("f"),
        UpdateExpression="SET l = list_append(l, :more), m.y = if_not_exists(m.y, :two), m.x = m.x - :two "
                         "REMOVE gone DELETE s :a ADD counter :two",
        ExpressionAttributeValues={":more": {"L": [{"N": "2"}]}, ":two": {"N": "2"}, ":a": {"SS": ["a"]}})
    got = ddb.get_item(TableName=table, Key=key("f"))["Item"]
    assert got["l"] == {"L": [{"N": "1"}, {"N": "2"}]}
    assert got["m"] == {"M": {"x": {"N": "-1"}, "y": {"N": "2"}}}
    assert got["s"] == {"SS": ["b"]}
    assert got["counter"] == {"N": "2"}
    assert "gone" not in got


def test_update_errors_use_the_service_words(ddb, table):
    ddb.put_item(TableName=table, Item={**key("e"), "s": {"S": "x"}})
    cases = [
        ("SET s = s + :one", {":one": {"N": "1"}},
         "An operand in the update expression has an incorrect data type"),
        ("SET a = :one SET b = :one", {":one": {"N": "1"}},
         'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'),
        ("SET a = :nope", {":one": {"N": "1"}},
         "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
         "attribute value: :nope"),
        ("SET a = :one", {":one": {"N": "1"}, ":extra": {"N": "2"}},
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}"),
        ("SET sk = :one", {":one": {"N": "1"}},
         "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"),
        ("SET a = :bad", {":bad": {"SS": []}},
         "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
         "An string set  may not be empty for key :bad"),
    ]
    for expression, values, message in cases:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            ddb.update_item(TableName=table, Key=key("e"), UpdateExpression=expression,
                            ExpressionAttributeValues=values)
        assert error_of(e) == ("ValidationException", message), expression


def test_condition_expression_features(ddb, table):
    ddb.put_item(TableName=table, Item={**key("cond"), "n": {"N": "5"}, "s": {"S": "hello"},
                                        "ss": {"SS": ["a"]}, "l": {"L": [{"S": "x"}]}})
    values = {":1": {"N": "1"}, ":5": {"N": "5"}, ":9": {"N": "9"}, ":he": {"S": "he"}, ":a": {"S": "a"},
              ":S": {"S": "S"}, ":x": {"S": "x"}}
    holds = ["n = :5", "n <> :1", "n < :9", "n <= :5", "n > :1", "n >= :5", "n BETWEEN :1 AND :9",
             "n IN (:1, :5)", "begins_with(s, :he)", "contains(ss, :a)", "contains(l, :x)",
             "attribute_type(s, :S)", "size(s) = :5", "attribute_exists(n) AND NOT attribute_exists(zz)",
             "(n = :1 OR n = :5) AND s <> :a"]
    fails = ["n = :1", "n > :9", "n BETWEEN :1 AND :1", "n IN (:1, :9)", "begins_with(s, :a)", "contains(ss, :x)",
             "attribute_not_exists(n)", "NOT (n = :5)", "size(s) > :5"]
    for c in holds + fails:
        used = {k: v for k, v in values.items() if k in c}
        try:
            ddb.update_item(TableName=table, Key=key("cond"), UpdateExpression="SET touched = :t",
                            ConditionExpression=c,
                            ExpressionAttributeValues={**used, ":t": {"BOOL": True}})
            assert c in holds, f"{c} held"
        except ddb.exceptions.ConditionalCheckFailedException:
            assert c in fails, f"{c} failed"


def test_condition_syntax_errors(ddb, table):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.put_item(TableName=table, Item=key("x"), ConditionExpression="pk = ")
    assert error_of(e) == ("ValidationException",
                           'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="')
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.put_item(TableName=table, Item=key("x"), ConditionExpression="#p = :v",
                     ExpressionAttributeValues={":v": {"S": "a"}})
    assert error_of(e)[1] == ("Invalid ConditionExpression: An expression attribute name used in the document path "
                              "is not defined; attribute name: #p")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.put_item(TableName=table, Item=key("x"), ConditionExpression="attribute_not_exists(pk)",
                     Expected={"pk": {"Exists": False}})
    assert "Can not use both expression and non-expression parameters" in error_of(e)[1]


def test_delete_item_with_a_condition_and_all_old(ddb, table):
    ddb.put_item(TableName=table, Item={**key("d"), "owner": {"S": "w1"}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.delete_item(TableName=table, Key=key("d"), ConditionExpression="#o = :o",
                        ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "w2"}})
    r = ddb.delete_item(TableName=table, Key=key("d"), ReturnValues="ALL_OLD",
                        Expected={"owner": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "w1"}]}})
    assert r["Attributes"]["owner"] == {"S": "w1"}
    assert "Item" not in ddb.get_item(TableName=table, Key=key("d"))


def test_an_item_over_400_kb_is_refused(ddb, table):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.put_item(TableName=table, Item={**key("big"), "v": {"S": "x" * (400 * 1024)}})
    assert error_of(e) == ("ValidationException", "Item size has exceeded the maximum allowed size")
    ddb.put_item(TableName=table, Item={**key("big"), "v": {"S": "x" * (390 * 1024)}})


def fill(ddb, table, pk, count):
    for i in range(count):
        ddb.put_item(TableName=table, Item={**key(pk, i), "even": {"BOOL": i % 2 == 0}})


def test_query_orders_by_range_key_pages_and_filters(ddb, table):
    fill(ddb, table, "q", 10)
    fill(ddb, table, "other", 3)
    args = dict(TableName=table, KeyConditionExpression="pk = :p AND sk >= :lo",
                ExpressionAttributeValues={":p": {"S": "q"}, ":lo": {"N": "2"}})
    everything = ddb.query(**args)
    assert [int(i["sk"]["N"]) for i in everything["Items"]] == list(range(2, 10))
    assert "LastEvaluatedKey" not in everything
    backwards = ddb.query(**args, ScanIndexForward=False)
    assert [int(i["sk"]["N"]) for i in backwards["Items"]] == list(range(9, 1, -1))
    pages, start = [], None
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        page = ddb.query(**args, Limit=3, **kw)
        pages.append([int(i["sk"]["N"]) for i in page["Items"]])
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
    assert pages == [[2, 3, 4], [5, 6, 7], [8, 9]]
    filtered = ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                         FilterExpression="even = :t",
                         ExpressionAttributeValues={":p": {"S": "q"}, ":t": {"BOOL": True}})
    assert filtered["Count"] == 5 and filtered["ScannedCount"] == 10
    counted = ddb.query(TableName=table, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                        ExpressionAttributeValues={":p": {"S": "q"}, ":a": {"N": "3"}, ":b": {"N": "5"}},
                        Select="COUNT")
    assert counted["Count"] == 3 and "Items" not in counted


def test_query_key_condition_errors(ddb, table):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.query(TableName=table, KeyConditionExpression="sk = :s", ExpressionAttributeValues={":s": {"N": "1"}})
    assert error_of(e) == ("ValidationException", "Query condition missed key schema element: pk")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.query(TableName=table, KeyConditionExpression="pk = :p OR pk = :p",
                  ExpressionAttributeValues={":p": {"S": "a"}})
    assert error_of(e) == ("ValidationException", "Invalid operator used in KeyConditionExpression: OR")


def test_scan_pages_filters_and_splits_into_segments(ddb, table):
    fill(ddb, table, "s1", 6)
    fill(ddb, table, "s2", 6)
    fill(ddb, table, "s3", 6)
    seen, start = [], None
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        page = ddb.scan(TableName=table, Limit=5, **kw)
        assert page["ScannedCount"] <= 5
        seen += [(i["pk"]["S"], i["sk"]["N"]) for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
    assert len(seen) == 18 and len(set(seen)) == 18
    segments = [ddb.scan(TableName=table, Segment=s, TotalSegments=3)["Items"] for s in range(3)]
    assert sum(len(s) for s in segments) == 18
    assert len({(i["pk"]["S"], i["sk"]["N"]) for s in segments for i in s}) == 18
    assert ddb.scan(TableName=table, FilterExpression="even = :f",
                    ExpressionAttributeValues={":f": {"BOOL": False}})["Count"] == 9
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.scan(TableName=table, Segment=3, TotalSegments=3)
    assert error_of(e)[1] == ("The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                              "Segment: 3 is not less than TotalSegments: 3")


def test_batch_write_and_batch_get(ddb, table):
    puts = [{"PutRequest": {"Item": {**key("batch", i), "v": {"N": str(i)}}}} for i in range(20)]
    assert ddb.batch_write_item(RequestItems={table: puts})["UnprocessedItems"] == {}
    ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": key("batch", 0)}}]})
    got = ddb.batch_get_item(RequestItems={table: {"Keys": [key("batch", i) for i in range(3)],
                                                   "ProjectionExpression": "v"}})
    assert sorted(int(i["v"]["N"]) for i in got["Responses"][table]) == [1, 2]
    assert got["UnprocessedKeys"] == {}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": key("dup")}}] * 2})
    assert error_of(e) == ("ValidationException", "Provided list of item keys contains duplicates")


def test_transact_write_items_is_all_or_nothing(ddb, table):
    ddb.put_item(TableName=table, Item={**key("t1"), "v": {"N": "1"}})
    ddb.put_item(TableName=table, Item={**key("t3"), "v": {"N": "3"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {**key("t2"), "v": {"N": "2"}}}},
            {"Update": {"TableName": table, "Key": key("t1"), "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"N": "9"}}}},
            {"ConditionCheck": {"TableName": table, "Key": key("t3"), "ConditionExpression": "v = :two",
                                "ExpressionAttributeValues": {":two": {"N": "2"}},
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    reasons = e.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "None", "ConditionalCheckFailed"]
    assert reasons[2]["Item"] == {**key("t3"), "v": {"N": "3"}}
    assert "[None, None, ConditionalCheckFailed]" in error_of(e)[1]
    assert "Item" not in ddb.get_item(TableName=table, Key=key("t2"))
    assert ddb.get_item(TableName=table, Key=key("t1"))["Item"]["v"] == {"N": "1"}
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": {**key("t2"), "v": {"N": "2"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Delete": {"TableName": table, "Key": key("t1")}},
    ])
    assert "Item" in ddb.get_item(TableName=table, Key=key("t2"))
    assert "Item" not in ddb.get_item(TableName=table, Key=key("t1"))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": table, "Key": key("t2")}},
                                                {"Delete": {"TableName": table, "Key": key("t2")}}])
    assert error_of(e) == ("ValidationException",
                           "Transaction request cannot include multiple operations on one item")
