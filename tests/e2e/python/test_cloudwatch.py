"""CloudWatch metrics on Sluice's port (what the KCL publishes to): boto3 (which speaks Smithy RPC
v2 CBOR to CloudWatch), the query protocol through botocore's own serializer and parser, and JSON
1.0; PutMetricData, ListMetrics and GetMetricStatistics read back, the service's errors, and the
metrics on /metrics and in the console."""

import datetime as dt
import gzip
import http.client
import json
import urllib.request
from urllib.parse import urlparse

import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions
import botocore.parsers
import botocore.serialize
import boto3
import pytest

import sluice_e2e as e2e


def cloudwatch(endpoint, key="AKIDEXAMPLE", secret="secret", **config):
    cfg = botocore.config.Config(region_name=e2e.REGION, connect_timeout=5, read_timeout=30,
                                 retries={"total_max_attempts": 1}, **config)
    return boto3.session.Session().client("cloudwatch", endpoint_url=endpoint, aws_access_key_id=key,
                                          aws_secret_access_key=secret, region_name=e2e.REGION, config=cfg)


@pytest.fixture(scope="module")
def cw(endpoint):
    return cloudwatch(endpoint.url)


def error_of(excinfo):
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def window():
    now = dt.datetime.now(dt.timezone.utc)
    return now - dt.timedelta(minutes=10), now + dt.timedelta(minutes=2)


def statistics(cw, ns, name, dims=(), period=3600):
    start, end = window()
    out = cw.get_metric_statistics(Namespace=ns, MetricName=name, Dimensions=list(dims), StartTime=start,
                                   EndTime=end, Period=period,
                                   Statistics=["SampleCount", "Sum", "Average", "Minimum", "Maximum"])
    return out["Datapoints"]


def query_call(endpoint, operation, params, key="AKIDEXAMPLE", secret="secret"):
    """One call in the AWS query protocol, serialized, signed and parsed by botocore itself (the
    pinned botocore speaks RPC v2 CBOR to CloudWatch, so its query code is driven directly).
    Returns (HTTP status, parsed answer)."""
    model = boto3.session.Session().client("cloudwatch", region_name=e2e.REGION).meta.service_model
    op = model.operation_model(operation)
    req = botocore.serialize.create_serializer("query").serialize_to_request(params, op)
    body = req["body"] if isinstance(req["body"], bytes) else urllib.parse.urlencode(req["body"]).encode()
    aws = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + "/", data=body,
                                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), "monitoring", e2e.REGION).add_auth(aws)
    u = urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request("POST", "/", body=body, headers=dict(aws.headers.items()))
        resp = conn.getresponse()
        raw = {"status_code": resp.status, "headers": {k.lower(): v for k, v in resp.getheaders()},
               "body": resp.read()}
    finally:
        conn.close()
    parsed = botocore.parsers.create_parser("query").parse(raw, op.output_shape)
    return resp.status, parsed, raw


def test_put_metric_data_reads_back_through_list_metrics_and_statistics(cw):
    ns = e2e.unique_name("App")
    dims = [{"Name": "Operation", "Value": "ProcessTask"}, {"Name": "ShardId", "Value": "shardId-000000000001"}]
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "RecordsProcessed", "Dimensions": dims, "Value": 10, "Unit": "Count"},
        {"MetricName": "RecordsProcessed", "Dimensions": list(reversed(dims)), "Value": 30, "Unit": "Count"},
        {"MetricName": "Time", "Value": 2.5, "Unit": "Milliseconds"},
    ])
    metrics = cw.list_metrics(Namespace=ns)["Metrics"]
    assert sorted((m["MetricName"], len(m["Dimensions"])) for m in metrics) == [("RecordsProcessed", 2), ("Time", 0)]
    [point] = statistics(cw, ns, "RecordsProcessed", dims)
    assert (point["SampleCount"], point["Sum"], point["Average"], point["Minimum"], point["Maximum"]) == \
        (2, 40, 20, 10, 30)
    assert point["Unit"] == "Count"
    assert statistics(cw, ns, "RecordsProcessed", dims[:1]) == []  # another dimension set is another metric


def test_values_counts_and_statistic_sets_are_aggregated_per_minute(cw):
    ns = e2e.unique_name("App")
    minute = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Latency", "Timestamp": minute + dt.timedelta(seconds=1), "Values": [1, 5], "Counts": [3, 1]},
        {"MetricName": "Latency", "Timestamp": minute + dt.timedelta(seconds=50),
         "StatisticValues": {"SampleCount": 4, "Sum": 40, "Minimum": 0.5, "Maximum": 20}},
        {"MetricName": "Latency", "Timestamp": minute - dt.timedelta(seconds=30), "Value": 7},
    ])
    points = sorted(statistics(cw, ns, "Latency", period=60), key=lambda p: p["Timestamp"])
    assert [(p["SampleCount"], p["Sum"], p["Minimum"], p["Maximum"]) for p in points] == [(1, 7, 7, 7), (8, 48, 0.5, 20)]
    assert points[1]["Timestamp"] == minute


def test_list_metrics_filters_by_name_and_dimensions_and_pages_by_500(cw):
    ns = e2e.unique_name("App")
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "M", "Dimensions": [{"Name": "Worker", "Value": f"w{i:03}"}], "Value": i} for i in range(502)])
    cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "Other", "Value": 1}])
    first = cw.list_metrics(Namespace=ns, MetricName="M")
    assert len(first["Metrics"]) == 500 and first["NextToken"]
    second = cw.list_metrics(Namespace=ns, MetricName="M", NextToken=first["NextToken"])
    assert len(second["Metrics"]) == 2 and "NextToken" not in second
    workers = {m["Dimensions"][0]["Value"] for m in first["Metrics"] + second["Metrics"]}
    assert len(workers) == 502
    only = cw.list_metrics(Namespace=ns, Dimensions=[{"Name": "Worker", "Value": "w007"}])["Metrics"]
    assert [(m["MetricName"], m["Dimensions"]) for m in only] == [("M", [{"Name": "Worker", "Value": "w007"}])]
    by_name = cw.list_metrics(Namespace=ns, Dimensions=[{"Name": "Worker"}])
    assert len(by_name["Metrics"]) == 500 and by_name["NextToken"]
    with pytest.raises(botocore.exceptions.ClientError) as bad:
        cw.list_metrics(Namespace=ns, NextToken="bm90LWEtdG9rZW4=")
    assert error_of(bad)[0] == "InvalidParameterValue"


def test_invalid_puts_get_the_service_errors_and_store_nothing(cw):
    ns = e2e.unique_name("App")
    cases = [
        (dict(Namespace="AWS/EC2", MetricData=[{"MetricName": "a", "Value": 1}]),
         "InvalidParameterValue", "The value AWS/EC2 for parameter Namespace is invalid."),
        (dict(Namespace=ns, MetricData=[{"MetricName": f"m{i}", "Value": 1} for i in range(1001)]),
         "InvalidParameterValue", "The collection MetricData must not have a size greater than 1000."),
        (dict(Namespace=ns, MetricData=[{"MetricName": "ok", "Value": 1}, {
            "MetricName": "a", "Dimensions": [{"Name": f"d{i}", "Value": "v"} for i in range(31)], "Value": 1}]),
         "InvalidParameterValue", "The collection MetricData.member.2.Dimensions must not have a size greater than 30."),
        (dict(Namespace=ns, MetricData=[{"MetricName": "a", "Value": 1, "StatisticValues": {
            "SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}]),
         "InvalidParameterCombination", "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues "
                                        "are mutually exclusive and you have specified both."),
        (dict(Namespace=ns, MetricData=[{"MetricName": "a", "Values": [1, 2], "Counts": [1]}]),
         "InvalidParameterValue", "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be "
                                  "of the same size."),
        (dict(Namespace=ns, MetricData=[{"MetricName": "a", "Value": float("nan")}]),
         "InvalidParameterValue", "The value NaN for parameter MetricData.member.1.Value is invalid."),
        (dict(Namespace=ns, MetricData=[{"MetricName": "a", "Value": 1, "StorageResolution": 5}]),
         "InvalidParameterValue", "The value 5 for parameter MetricData.member.1.StorageResolution is invalid."),
        (dict(Namespace=ns, MetricData=[{"MetricName": "a"}]),
         "MissingParameter", "At least one of the parameters MetricData.member.1.Value, "
                             "MetricData.member.1.StatisticValues or MetricData.member.1.Values must be specified."),
    ]
    for args, code, message in cases:
        with pytest.raises(botocore.exceptions.ClientError) as err:
            cw.put_metric_data(**args)
        assert error_of(err) == (code, message)
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert cw.list_metrics(Namespace=ns)["Metrics"] == []


def test_get_metric_statistics_checks_period_statistics_and_datapoint_count(cw):
    start, end = window()
    base = dict(Namespace="App", MetricName="m", StartTime=start, EndTime=end)
    for args, code, message in [
        (dict(Period=90, Statistics=["Sum"]), "InvalidParameterValue", "The parameter Period must be a multiple of 60."),
        (dict(Period=60), "InvalidParameterCombination",
         "Must specify either Statistics or ExtendedStatistics, but not both."),
        (dict(Period=60, Statistics=["Sum"], StartTime=start - dt.timedelta(days=2)), "InvalidParameterCombination",
         None),
        (dict(Period=60, Statistics=["Sum"], EndTime=start), "InvalidParameterValue",
         "The parameter StartTime must be less than the parameter EndTime."),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as err:
            cw.get_metric_statistics(**{**base, **args})
        got_code, got_message = error_of(err)
        assert got_code == code
        if message is None:
            assert "which exceeds the limit of 1440" in got_message
        else:
            assert got_message == message


def test_an_operation_not_served_is_an_unknown_operation(cw, endpoint):
    with pytest.raises(botocore.exceptions.ClientError) as err:
        cw.describe_alarms()
    assert error_of(err) == ("InvalidAction", "Could not find operation DescribeAlarms for version 2010-08-01")
    status, parsed, raw = query_call(endpoint.url, "DescribeAlarms", {})
    assert status == 400 and parsed["Error"]["Code"] == "InvalidAction"


def test_rpc_v2_cbor_answers_carry_the_smithy_protocol_header(endpoint):
    # {"Namespace": "App"} in CBOR, as botocore and the Java SDK send ListMetrics.
    body = bytes([0xA1, 0x69]) + b"Namespace" + bytes([0x63]) + b"App"
    req = urllib.request.Request(endpoint.url + "/service/GraniteServiceVersion20100801/operation/ListMetrics",
                                 data=body, method="POST", headers={
                                     "smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor",
                                     "Accept": "application/cbor", "Authorization": e2e.DUMMY_AUTH,
                                     "X-Amz-Date": "20150830T123600Z"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.headers["smithy-protocol"] == "rpc-v2-cbor"
        assert resp.headers["Content-Type"] == "application/cbor"
        assert resp.read()[:1] == bytes([0xA1])  # a map of one member: Metrics


def test_the_query_protocol_puts_lists_gets_and_answers_errors_in_xml(endpoint, cw):
    ns = e2e.unique_name("Query")
    now = dt.datetime.now(dt.timezone.utc)
    status, parsed, raw = query_call(endpoint.url, "PutMetricData", {"Namespace": ns, "MetricData": [
        {"MetricName": "Bytes", "Dimensions": [{"Name": "Stream", "Value": "s 1&2"}], "Value": 1024,
         "Unit": "Bytes", "Timestamp": now},
        {"MetricName": "Bytes", "Dimensions": [{"Name": "Stream", "Value": "s 1&2"}], "Values": [1, 3],
         "Counts": [2, 1], "Unit": "Bytes", "Timestamp": now}]})
    assert status == 200 and raw["body"].startswith(b"<PutMetricDataResponse")
    assert parsed["ResponseMetadata"]["RequestId"]
    status, parsed, _ = query_call(endpoint.url, "ListMetrics", {"Namespace": ns})
    assert parsed["Metrics"] == [{"Namespace": ns, "MetricName": "Bytes",
                                  "Dimensions": [{"Name": "Stream", "Value": "s 1&2"}]}]
    start, end = window()
    status, parsed, _ = query_call(endpoint.url, "GetMetricStatistics", {
        "Namespace": ns, "MetricName": "Bytes", "Dimensions": [{"Name": "Stream", "Value": "s 1&2"}],
        "StartTime": start, "EndTime": end, "Period": 3600, "Statistics": ["Sum", "SampleCount", "Maximum"]})
    [point] = parsed["Datapoints"]
    assert (point["Sum"], point["SampleCount"], point["Maximum"], point["Unit"]) == (1029, 4, 1024, "Bytes")
    # What was put in one protocol reads back in another.
    assert cw.list_metrics(Namespace=ns)["Metrics"][0]["Dimensions"] == [{"Name": "Stream", "Value": "s 1&2"}]
    status, parsed, raw = query_call(endpoint.url, "PutMetricData", {"Namespace": ns, "MetricData": []})
    assert status == 400 and raw["body"].startswith(b"<ErrorResponse")
    assert parsed["Error"] == {"Type": "Sender", "Code": "MissingParameter",
                               "Message": "The parameter MetricData is required."}


def test_json_1_0_is_served_too(endpoint):
    ns = e2e.unique_name("Json")
    target = {"X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData"}
    ok = e2e.raw_call(endpoint.url, "", {"Namespace": ns, "MetricData": [{"MetricName": "m", "Value": 3}]},
                      content_type="application/x-amz-json-1.0", extra_headers=target)
    assert ok.status == 200
    listed = e2e.raw_call(endpoint.url, "", {"Namespace": ns}, content_type="application/x-amz-json-1.0",
                          extra_headers={"X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics"})
    assert listed.json["Metrics"][0]["MetricName"] == "m"
    bad = e2e.raw_call(endpoint.url, "", {"MetricData": []}, content_type="application/x-amz-json-1.0",
                       extra_headers=target)
    assert (bad.status, bad.error_type, bad.message) == (400, "MissingRequiredParameterException",
                                                        "The parameter Namespace is required.")
    assert bad.headers["x-amzn-query-error"] == "MissingParameter;Sender"


def test_compressed_puts_are_inflated(endpoint):
    ns = e2e.unique_name("Gzip")
    # botocore gzips PutMetricData bodies from this size on (the service's requestcompression trait).
    cw = cloudwatch(endpoint.url, request_min_compression_size_bytes=1)
    cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": f"m{i}", "Value": i} for i in range(300)])
    assert len(cw.list_metrics(Namespace=ns)["Metrics"]) == 300
    body = json.dumps({"Namespace": ns, "MetricData": [{"MetricName": "zipped", "Value": 1}]}).encode()
    r = e2e.raw_call(endpoint.url, "", gzip.compress(body), content_type="application/x-amz-json-1.0",
                     extra_headers={"X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData",
                                    "Content-Encoding": "gzip"})
    assert r.status == 200
    assert len(cw.list_metrics(Namespace=ns, MetricName="zipped")["Metrics"]) == 1


def test_put_metrics_show_on_the_metrics_page_and_in_the_console(cw, endpoint):
    ns = e2e.unique_name("Shown")
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "MillisBehindLatest", "Dimensions": [{"Name": "Shard.Id", "Value": 'a"b'}], "Value": 1},
        {"MetricName": "MillisBehindLatest", "Dimensions": [{"Name": "Shard.Id", "Value": 'a"b'}], "Value": 42,
         "Timestamp": dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)},
    ])
    page = urllib.request.urlopen(endpoint.url + "/metrics", timeout=10).read().decode()
    line = [l for l in page.splitlines() if l.startswith("sluice_cloudwatch_metric{") and ns in l]
    assert line == [f'sluice_cloudwatch_metric{{account="000000000000",region="us-east-1",namespace="{ns}",'
                    f'metric="MillisBehindLatest",Shard_Id="a\\"b"}} 42']
    console = json.loads(urllib.request.urlopen(endpoint.url + "/console/api/cloudwatch", timeout=10).read())
    [shown] = [m for m in console["metrics"] if m["namespace"] == ns]
    assert (shown["metric"], shown["value"], shown["dimensions"]) == \
        ("MillisBehindLatest", 42, [{"name": "Shard.Id", "value": 'a"b'}])


def test_under_auth_monitoring_signatures_are_verified_and_metrics_are_per_account(spawn, tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("[a]\naws_access_key_id = AKIDA\naws_secret_access_key = secret-a\naws_account_id = 111111111111\n"
                     "[b]\naws_access_key_id = AKIDB\naws_secret_access_key = secret-b\naws_account_id = 222222222222\n")
    server = spawn("--auth", str(creds), "--durability", "memory")
    a = cloudwatch(server.endpoint, "AKIDA", "secret-a")
    b = cloudwatch(server.endpoint, "AKIDB", "secret-b")
    a.put_metric_data(Namespace="App", MetricData=[{"MetricName": "m", "Value": 1}])
    assert len(a.list_metrics(Namespace="App")["Metrics"]) == 1
    assert b.list_metrics(Namespace="App")["Metrics"] == []
    with pytest.raises(botocore.exceptions.ClientError) as err:
        cloudwatch(server.endpoint, "AKIDA", "wrong").list_metrics()
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error_of(err)[0] == "SignatureDoesNotMatch"
    status, parsed, _ = query_call(server.endpoint, "ListMetrics", {}, "AKIDB", "wrong")
    assert status == 403 and parsed["Error"]["Code"] == "SignatureDoesNotMatch"


def test_metrics_are_memory_only_and_gone_after_a_restart(spawn):
    server = spawn("--durability", "fsync")
    cw = cloudwatch(server.endpoint)
    cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "m", "Value": 1}])
    assert len(cw.list_metrics()["Metrics"]) == 1
    server.kill9()
    server.restart()
    assert cloudwatch(server.endpoint).list_metrics()["Metrics"] == []
