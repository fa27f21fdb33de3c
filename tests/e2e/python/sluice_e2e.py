"""Helpers for the end-to-end suite: start and stop real server processes, build real clients.

Environment:
  SLUICE_BIN            absolute path of the server binary (spawned with a fresh data dir).
  SLUICE_E2E_ENDPOINT   use an already running endpoint (e.g. http://127.0.0.1:4568) for the
                        protocol-level tests instead of spawning servers. Tests that need process
                        control (crash, restart, corruption) are then reported as not run.
  SLUICE_E2E_REFERENCE  set (e.g. to "kinesalite") when SLUICE_E2E_ENDPOINT is a reference
                        implementation rather than Sluice: tests of behaviour that Sluice is
                        specified to have beyond it (HTTP/2, NextToken paging, ShardFilter,
                        StreamARN addressing, 413 before the body) are reported as not run.
"""

from __future__ import annotations

import base64
import datetime as _dt
import glob
import gzip
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Callable, Optional
from urllib.parse import urlparse

import boto3
import botocore.config
import pytest

SLUICE_BIN = os.environ.get("SLUICE_BIN", "")
ENDPOINT = os.environ.get("SLUICE_E2E_ENDPOINT", "").rstrip("/")
REFERENCE = os.environ.get("SLUICE_E2E_REFERENCE", "")

REGION = "us-east-1"
HASH_SPACE = 2**128
LISTEN_RE = re.compile(r"listening on ([0-9.]+):(\d+)")

START_DEADLINE_S = 30.0
STOP_DEADLINE_S = 20.0


# ---------------------------------------------------------------------------------------------
# Polling


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.02):
    """Polls predicate until it returns a truthy value or the deadline passes (then fails)."""
    deadline = time.monotonic() + timeout
    last_exc: Optional[BaseException] = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - remembered for the failure message
            last_exc = exc
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_exc!r})" if last_exc else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}{detail}")
        time.sleep(interval)


def unique_name(prefix: str = "e2e") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def requires_sluice(reason: str):
    """Marks a test of Sluice-specified behaviour that a reference emulator lacks."""
    return pytest.mark.skipif(bool(REFERENCE), reason=f"not run against {REFERENCE}: {reason}")


# ---------------------------------------------------------------------------------------------
# Server processes


@dataclass
class SluiceServer:
    """One `sluice serve` process on an ephemeral port, reading its log in a background thread."""

    data_dir: str
    extra_args: list = field(default_factory=list)
    env: Optional[dict] = None  # when set: configure through SLUICE_* variables, not flags
    preexec_fn: Optional[Callable[[], None]] = None  # run in the child before exec (e.g. setrlimit)
    host: str = "127.0.0.1"  # where it listens, and is reached
    prefix: list = field(default_factory=list)  # the command it runs under (e.g. `ip netns exec NS`), which execs it
    proc: Optional[subprocess.Popen] = None
    port: int = 0
    _log_lines: list = field(default_factory=list)
    _log_lock: threading.Lock = field(default_factory=threading.Lock)
    _port_event: threading.Event = field(default_factory=threading.Event)

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def log(self) -> str:
        with self._log_lock:
            return "".join(self._log_lines)

    def start(self) -> "SluiceServer":
        if not SLUICE_BIN or not os.path.isfile(SLUICE_BIN):
            raise AssertionError(f"SLUICE_BIN does not name a file: {SLUICE_BIN!r}")
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        self.port = 0
        self._port_event = threading.Event()
        with self._log_lock:
            self._log_lines.append(f"--- start {' '.join(self.extra_args)}\n")
        env = dict(os.environ)
        if self.env is None:
            args = [
                SLUICE_BIN, "serve",
                "--host", self.host,
                "--port", "0",
                "--data-dir", self.data_dir,
                "--create-stream-ms", "0",
                "--delete-stream-ms", "0",
                *self.extra_args,
            ]
        else:
            args = [SLUICE_BIN, "serve", *self.extra_args]
            env.update(SLUICE_HOST=self.host, SLUICE_PORT="0", SLUICE_DATA_DIR=self.data_dir,
                       SLUICE_CREATE_STREAM_MS="0", SLUICE_DELETE_STREAM_MS="0")
            env.update(self.env)
        self.proc = subprocess.Popen(
            [*self.prefix, *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=self.preexec_fn,
        )
        self._reader = threading.Thread(target=self._read_log, args=(self.proc, self._port_event), daemon=True)
        self._reader.start()
        if not self._port_event.wait(START_DEADLINE_S) or not self.port:
            # The log's end (the event without a port) can come just before the exit can be waited for.
            try:
                rc = self.proc.wait(timeout=5) if self._port_event.is_set() else self.proc.poll()
            except subprocess.TimeoutExpired:
                rc = None
            self.kill9()
            if rc is not None:
                raise AssertionError(f"server exited with status {rc} before listening; log:\n{self.log}")
            raise AssertionError(f"server did not log 'listening on' in time; log:\n{self.log}")
        wait_until(self.healthy, START_DEADLINE_S, f"GET /health on port {self.port}\nlog:\n{self.log}")
        return self

    def _read_log(self, proc: subprocess.Popen, port_event: threading.Event):
        """Collects one process's output; sets the port from its first `listening on` line."""
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            with self._log_lock:
                self._log_lines.append(line)
            if not port_event.is_set():
                m = LISTEN_RE.search(line)
                if m:
                    self.port = int(m.group(2))
                    port_event.set()
        proc.stdout.close()
        port_event.set()  # exited: wake the starter, which then sees no port

    def _join_reader(self):
        reader = getattr(self, "_reader", None)
        if reader is not None:
            reader.join(STOP_DEADLINE_S)

    def healthy(self) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            raise AssertionError(f"server exited with {self.proc.returncode if self.proc else None}; log:\n{self.log}")
        return health_status(self.endpoint) == 200

    def stop(self, timeout: float = STOP_DEADLINE_S, sig: int = signal.SIGTERM) -> int:
        """SIGTERM (or `sig`), then asserts a clean exit (status 0) within the deadline."""
        assert self.proc is not None
        name = signal.Signals(sig).name
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise AssertionError(f"server did not exit within {timeout}s of {name}; log:\n{self.log}")
        self._join_reader()
        assert rc == 0, f"server exited with status {rc} after {name}; log:\n{self.log}"
        return rc

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(STOP_DEADLINE_S)
        self._join_reader()

    def restart(self) -> "SluiceServer":
        """Starts a new process on the same data dir (on a new ephemeral port)."""
        assert self.proc is not None and self.proc.poll() is not None, "stop or kill the server first"
        return self.start()

    def cleanup(self):
        """Best-effort teardown for fixtures: never leaves a process behind."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.kill9()

    def segment_files(self) -> list:
        """Segment files: `<20-digit base offset>.log` anywhere under the data dir."""
        found = glob.glob(os.path.join(self.data_dir, "**", "*.log"), recursive=True)
        return sorted(f for f in found if re.fullmatch(r"\d{20}\.log", os.path.basename(f)))


class Endpoint:
    """The endpoint protocol-level tests talk to, and the process behind it if we own it."""

    def __init__(self, url: str, server: Optional[SluiceServer]):
        self.url = url
        self.server = server

    def check_alive(self):
        if self.server is not None:
            assert self.server.proc.poll() is None, \
                f"server died (status {self.server.proc.returncode}); log:\n{self.server.log}"
        assert_alive(self.url)


def serve_endpoint(data_dir: str):
    """Generator for fixtures: SLUICE_E2E_ENDPOINT if set, else a server of our own, stopped
    with SIGTERM at the end (which must exit 0)."""
    if ENDPOINT:
        yield Endpoint(ENDPOINT, None)
        return
    server = SluiceServer(data_dir)
    try:
        server.start()
        yield Endpoint(server.endpoint, server)
        server.stop()
    finally:
        server.cleanup()


def health_status(endpoint: str, timeout: float = 2.0) -> int:
    u = urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request("GET", "/health")
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def assert_alive(endpoint: str):
    """The server still answers: /health is 200 (Sluice) or ListStreams works (reference)."""
    if REFERENCE:
        client(endpoint).list_streams(Limit=1)
    else:
        assert health_status(endpoint) == 200


# ---------------------------------------------------------------------------------------------
# Clients


def client(endpoint: str, read_timeout: float = 30.0, region: str = REGION, service: str = "kinesis",
           access_key_id: str = "AKIDEXAMPLE", secret_access_key: str = "secret",
           session_token: Optional[str] = None):
    """A boto3 client (Kinesis unless `service` says otherwise) with dummy credentials (unless
    given) and retries off (every error is seen)."""
    cfg = botocore.config.Config(
        region_name=region,
        connect_timeout=5,
        read_timeout=read_timeout,
        retries={"total_max_attempts": 1},
    )
    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        aws_session_token=session_token,
        region_name=region,
        config=cfg,
    )


def aws_cli(endpoint: str, *args: str, timeout: float = 120.0, check: bool = True):
    """Runs `aws --endpoint-url <endpoint> kinesis <args> --output json`; returns parsed stdout."""
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID="x",
        AWS_SECRET_ACCESS_KEY="x",
        AWS_DEFAULT_REGION=REGION,
        AWS_PAGER="",
        AWS_MAX_ATTEMPTS="1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    cmd = ["aws", "--endpoint-url", endpoint, "kinesis", *args, "--output", "json"]
    res = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if check:
        assert res.returncode == 0, f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stderr.decode()}"
    out = res.stdout.decode().strip()
    return (json.loads(out) if out else None), res


def wait_active(kinesis, name: str, timeout: float = 30.0) -> dict:
    def active():
        d = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        return d if d["StreamStatus"] == "ACTIVE" else None

    return wait_until(active, timeout, f"stream {name} ACTIVE")


def wait_gone(kinesis, name: str, timeout: float = 30.0):
    def gone():
        try:
            kinesis.describe_stream_summary(StreamName=name)
            return False
        except kinesis.exceptions.ResourceNotFoundException:
            return True

    wait_until(gone, timeout, f"stream {name} deleted")


def create_stream(kinesis, name: str, shards: int = 1, **kw) -> dict:
    kinesis.create_stream(StreamName=name, ShardCount=shards, **kw)
    return wait_active(kinesis, name)


def all_shards(kinesis, name: str) -> list:
    shards, start = [], None
    for _ in range(1000):
        kw = {"StreamName": name}
        if start:
            kw["ExclusiveStartShardId"] = start
        d = kinesis.describe_stream(**kw)["StreamDescription"]
        shards += d["Shards"]
        if not d["HasMoreShards"] or not d["Shards"]:
            return shards
        start = d["Shards"][-1]["ShardId"]
    raise AssertionError("DescribeStream paging did not end")


def read_shard(kinesis, name: str, shard_id: str, iterator_type: str = "TRIM_HORIZON",
               limit: Optional[int] = None, timeout: float = 60.0, **kw) -> list:
    """Reads a shard from the given position until caught up (an empty page with
    MillisBehindLatest 0); returns the records in order."""
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                    ShardIteratorType=iterator_type, **kw)["ShardIterator"]
    return drain(kinesis, it, limit=limit, timeout=timeout)[0]


def drain(kinesis, iterator: str, limit: Optional[int] = None, timeout: float = 60.0):
    records = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kw = {"ShardIterator": iterator}
        if limit:
            kw["Limit"] = limit
        r = kinesis.get_records(**kw)
        records += r["Records"]
        assert r.get("NextShardIterator"), "open shard returned no NextShardIterator"
        iterator = r["NextShardIterator"]
        if not r["Records"] and r["MillisBehindLatest"] == 0:
            return records, iterator
    raise AssertionError(f"shard not drained within {timeout}s ({len(records)} records so far)")


def read_stream(kinesis, name: str, timeout: float = 120.0) -> dict:
    """Every record of every shard from TRIM_HORIZON: {shard_id: [records]}."""
    return {s["ShardId"]: read_shard(kinesis, name, s["ShardId"], timeout=timeout)
            for s in all_shards(kinesis, name)}


def account_of(arn: str) -> str:
    m = re.fullmatch(r"arn:aws:kinesis:[a-z0-9-]+:(\d{12}):stream/.+", arn)
    assert m, f"not a stream ARN: {arn}"
    return m.group(1)


def probe_account(kinesis) -> str:
    """The account id the server reports in ARNs (and hence in its error messages)."""
    name = unique_name("account-probe")
    create_stream(kinesis, name, 1)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    kinesis.delete_stream(StreamName=name)
    return account_of(arn)


def now_utc() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


# ---------------------------------------------------------------------------------------------
# Raw HTTP


DUMMY_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64)


@dataclass
class RawResponse:
    status: int
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def error_type(self) -> str:
        return self.json.get("__type", "").split("#")[-1]

    @property
    def message(self) -> Optional[str]:
        j = self.json
        return j.get("message", j.get("Message"))


def raw_call(endpoint: str, operation: str, body, content_type: str = "application/x-amz-json-1.1",
             timeout: float = 30.0, extra_headers: Optional[dict] = None) -> RawResponse:
    """POSTs one Kinesis request over HTTP/1.1 and returns status, headers (lower-case) and body."""
    if not isinstance(body, (bytes, bytearray)):
        body = json.dumps(body).encode() if not isinstance(body, str) else body.encode()
    headers = {
        "Content-Type": content_type,
        "X-Amz-Target": f"Kinesis_20131202.{operation}",
        "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
        "Authorization": DUMMY_AUTH,
    }
    headers.update(extra_headers or {})
    u = urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request("POST", "/", body=bytes(body), headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def read_http_response(sock, deadline_s: float) -> tuple[int, str, bytes]:
    """Reads one whole HTTP/1.1 response (by Content-Length) from a raw socket: status, head, body."""
    sock.settimeout(deadline_s)
    data = b""
    end = time.monotonic() + deadline_s
    while b"\r\n\r\n" not in data:
        assert time.monotonic() < end, f"no answer within {deadline_s}s (got {data[:80]!r})"
        chunk = sock.recv(65536)
        assert chunk, f"closed without an answer (got {data[:80]!r})"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    head_text = head.decode("latin-1")
    length = int(re.search(r"(?im)^content-length:\s*(\d+)", head_text).group(1))
    while len(body) < length:
        assert time.monotonic() < end, f"body incomplete after {deadline_s}s"
        chunk = sock.recv(65536)
        assert chunk, "closed in the middle of the body"
        body += chunk
    return int(head_text.split(" ", 2)[1]), head_text, body[:length]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# ---------------------------------------------------------------------------------------------
# Resharding: shard listings, hash-range coverage, lineage, reading every generation


def list_shards(kinesis, name: str, **kw) -> list:
    """Every shard ListShards returns for the stream (following NextToken)."""
    r = kinesis.list_shards(StreamName=name, **kw)
    shards = list(r["Shards"])
    for _ in range(1000):
        token = r.get("NextToken")
        if not token:
            return shards
        r = kinesis.list_shards(NextToken=token)
        shards += r["Shards"]
    raise AssertionError("ListShards paging did not end")


def is_open(shard: dict) -> bool:
    return "EndingSequenceNumber" not in shard["SequenceNumberRange"]


def hash_range(shard: dict) -> tuple:
    r = shard["HashKeyRange"]
    return int(r["StartingHashKey"]), int(r["EndingHashKey"])


def assert_open_coverage(shards: list) -> list:
    """The open shards cover 0..2^128-1 exactly once; returns their ranges, ordered."""
    ranges = sorted(hash_range(s) for s in shards if is_open(s))
    assert ranges, "no open shard"
    assert ranges[0][0] == 0, f"open shards do not start at 0: {ranges}"
    assert ranges[-1][1] == HASH_SPACE - 1, f"open shards do not end at 2^128-1: {ranges}"
    for (s0, e0), (s1, e1) in zip(ranges, ranges[1:]):
        assert s1 == e0 + 1, f"gap or overlap between open shards: {ranges}"
    for s, e in ranges:
        assert s <= e, f"empty range {s}..{e}"
    return ranges


def uniform_ranges(count: int) -> list:
    """The ranges UNIFORM_SCALING (and CreateStream) gives `count` shards."""
    w = HASH_SPACE // count
    return [(i * w, (i + 1) * w - 1 if i < count - 1 else HASH_SPACE - 1) for i in range(count)]


def assert_lineage(shards: list, initial: set, parents_may_be_gone: bool = False):
    """Every shard not in `initial` names its parent(s); listed parents are closed; a split
    child's range lies inside its parent's, a merge child's range is the union of its two
    parents' adjacent ranges; children start after their parents end."""
    by_id = {s["ShardId"]: s for s in shards}
    assert len(by_id) == len(shards), "a shard id is listed twice"
    for s in shards:
        sid = s["ShardId"]
        if sid in initial:
            assert "ParentShardId" not in s and "AdjacentParentShardId" not in s, s
            continue
        assert s.get("ParentShardId"), f"{sid} has no ParentShardId: {s}"
        parents = [s["ParentShardId"]] + ([s["AdjacentParentShardId"]] if s.get("AdjacentParentShardId") else [])
        listed = [by_id[p] for p in parents if p in by_id]
        if not parents_may_be_gone:
            assert len(listed) == len(parents), f"{sid}: parent(s) {parents} not listed"
        for p in listed:
            assert not is_open(p), f"{sid}: parent {p['ShardId']} is still open"
            assert int(s["SequenceNumberRange"]["StartingSequenceNumber"]) > \
                int(p["SequenceNumberRange"]["EndingSequenceNumber"]), f"{sid} starts before parent {p['ShardId']} ends"
        if len(listed) == len(parents):
            lo, hi = hash_range(s)
            if len(parents) == 1:
                plo, phi = hash_range(listed[0])
                assert plo <= lo <= hi <= phi, f"split child {sid} {lo}..{hi} outside parent {plo}..{phi}"
            else:
                (a0, a1), (b0, b1) = sorted(hash_range(p) for p in listed)
                assert a1 + 1 == b0, f"merge parents of {sid} are not adjacent"
                assert (lo, hi) == (a0, b1), f"merge child {sid} is not the union of its parents"


def partition_hash(partition_key: str) -> int:
    import hashlib
    return int.from_bytes(hashlib.md5(partition_key.encode()).digest(), "big")


def assert_no_child_shards(response: dict):
    assert not response.get("ChildShards"), f"ChildShards on a response that is not a shard's end: {response.get('ChildShards')}"


def read_generations(kinesis, name: str, timeout: float = 60.0):
    """Reads every record of every shard within retention, parents before children: starts
    from the shards whose parents are not listed, reads each from TRIM_HORIZON to its end
    (closed: until NextShardIterator is absent; open: until caught up) and follows ChildShards,
    reading a child only once all its parents are done.

    Returns (order, records): the shard ids in reading order and {shard_id: [records]}.
    Checks on the way: closed shards end with ChildShards (matching the listing), every other
    response has a NextShardIterator and no ChildShards, sequence numbers increase."""
    deadline = time.monotonic() + timeout
    shards = list_shards(kinesis, name)
    by_id = {s["ShardId"]: s for s in shards}

    def parents_of(s):
        return [p for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p]

    ready = [sid for sid, s in by_id.items() if not any(p in by_id for p in parents_of(s))]
    done, order, records, announced = set(), [], {}, {}
    while ready:
        sid = ready.pop(0)
        shard = by_id[sid]
        it = kinesis.get_shard_iterator(StreamName=name, ShardId=sid,
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        got, children = [], None
        while True:
            assert time.monotonic() < deadline, f"reading {sid} did not end within {timeout}s"
            r = kinesis.get_records(ShardIterator=it)
            got += r["Records"]
            if not r.get("NextShardIterator"):
                assert not is_open(shard), f"open shard {sid} returned no NextShardIterator"
                children = r.get("ChildShards")
                assert children, f"end of closed shard {sid} without ChildShards: {r}"
                break
            if r.get("ChildShards"):
                raise AssertionError(f"{sid}: ChildShards together with a NextShardIterator: {r}")
            it = r["NextShardIterator"]
            if is_open(shard) and not r["Records"] and r["MillisBehindLatest"] == 0:
                break
        seqs = [int(x["SequenceNumber"]) for x in got]
        assert seqs == sorted(set(seqs)), f"{sid}: sequence numbers not strictly increasing"
        records[sid] = got
        order.append(sid)
        done.add(sid)
        for c in children or []:
            cid = c["ShardId"]
            assert cid in by_id, f"{sid} names child {cid}, which ListShards does not list"
            listed = by_id[cid]
            assert sorted(c["ParentShards"]) == sorted(parents_of(listed)), \
                f"ChildShards entry {c} disagrees with the listing {listed}"
            assert c["HashKeyRange"] == listed["HashKeyRange"], f"ChildShards entry {c} vs {listed}"
            announced.setdefault(cid, set()).add(sid)
            if cid not in done and cid not in ready and all(p in done or p not in by_id for p in parents_of(listed)):
                ready.append(cid)
    missing = set(by_id) - done
    assert not missing, f"shards not reachable from the roots through ChildShards: {sorted(missing)}"
    for sid, s in by_id.items():
        listed_parents = {p for p in parents_of(s) if p in by_id}
        assert announced.get(sid, set()) == listed_parents, \
            f"{sid} announced as a child by {announced.get(sid)}, its listed parents are {listed_parents}"
    return order, records


# ---------------------------------------------------------------------------------------------
# Stream consumers and SubscribeToShard

import queue  # noqa: E402
import socket  # noqa: E402


def register_consumer(kinesis, stream_arn: str, name: str, timeout: float = 30.0) -> str:
    """Registers a stream consumer and waits until it is ACTIVE; returns its ARN."""
    arn = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=name)["Consumer"]["ConsumerARN"]
    wait_until(lambda: kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]
               ["ConsumerStatus"] == "ACTIVE", timeout, f"consumer {arn} ACTIVE")
    return arn


def socket_of(raw):
    """The socket under a urllib3 response (to shut it down from another thread)."""
    conn = getattr(raw, "_connection", None) or getattr(raw, "connection", None)
    sock = getattr(conn, "sock", None)
    if sock is None:
        fp = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    return sock


class Subscription:
    """One SubscribeToShard call whose event stream is read on a background thread.

    `next(timeout)` returns ("event", SubscribeToShardEvent), ("error", exception raised while
    iterating) or ("end", None) when the body ended cleanly; after an error, ("end", bytes left
    in the body) if the body then ended. botocore itself reads the initial-response event before
    the call returns (and fails the call without one). `pace(n)` (optional) runs on the reading
    thread after the n-th event, before the next read: a slow client."""

    def __init__(self, kinesis, consumer_arn: str, shard_id: str, position: dict,
                 watchdog_s: float = 30.0, pace=None):
        self.started = time.monotonic()
        self.response = kinesis.subscribe_to_shard(ConsumerARN=consumer_arn, ShardId=shard_id,
                                                   StartingPosition=position)
        meta = self.response["ResponseMetadata"]
        assert meta["HTTPStatusCode"] == 200, meta
        assert meta["HTTPHeaders"].get("content-type") == "application/vnd.amazon.eventstream", meta
        self.stream = self.response["EventStream"]
        self.sock = socket_of(self.stream._raw_stream)
        assert self.sock is not None, "cannot find the socket under the event stream"
        self.pace = pace
        self.queue: queue.Queue = queue.Queue()
        self.closed_by_us = threading.Event()
        self.finished = threading.Event()
        self.watchdog = threading.Timer(watchdog_s, self.close)
        self.watchdog.daemon = True
        self.watchdog.start()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            n = 0
            for ev in self.stream:
                self.queue.put(("event", ev))
                n += 1
                if self.pace:
                    self.pace(n)
        except Exception as exc:  # noqa: BLE001 - handed to the test
            self.queue.put(("error", exc))
            # After an exception event the body must end: read what is left of it.
            try:
                self.queue.put(("end", self.stream._raw_stream.read()))
            except Exception:  # noqa: BLE001 - the connection is gone
                pass
        else:
            self.queue.put(("end", None))
        finally:
            self.finished.set()

    def next(self, timeout: float):
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event, error or end within {timeout}s") from None

    def read_to_end(self, timeout: float) -> tuple:
        """Events until the stream ends or fails: (events, kind, value) with the last next()."""
        deadline = time.monotonic() + timeout
        events = []
        while True:
            kind, value = self.next(max(0.1, deadline - time.monotonic()))
            if kind != "event":
                return events, kind, value
            assert set(value) == {"SubscribeToShardEvent"}, value
            events.append(value["SubscribeToShardEvent"])

    def next_event(self, timeout: float) -> dict:
        kind, value = self.next(timeout)
        assert kind == "event", f"expected an event, got {kind}: {value!r}"
        assert set(value) == {"SubscribeToShardEvent"}, value
        return value["SubscribeToShardEvent"]

    def close(self):
        """Ends the subscription from the client side (also the watchdog's action)."""
        self.closed_by_us.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.stream.close()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.watchdog.cancel()
        self.close()
        self.thread.join(10)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for a second listening port)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# etcd for cluster mode

ETCD_BIN = "/usr/bin/etcd"  # Debian's etcd-server (scripts/bootstrap)
ETCD_START_DEADLINE_S = 15.0


class EtcdServer:
    """One etcd member on free ports (clients on `host`, peers on 127.0.0.1) with a data dir under
    `work_dir`: never the system's service or its default ports. Healthy when start() returns;
    restart() keeps its ports and data."""

    def __init__(self, work_dir, host: str = "127.0.0.1"):
        if not os.access(ETCD_BIN, os.X_OK):
            raise AssertionError(f"no {ETCD_BIN}: install Debian's etcd-server (scripts/bootstrap)")
        self.host = host
        self.client_port = free_port()
        self.peer_port = free_port()
        self.data_dir = os.path.join(str(work_dir), f"etcd-{self.client_port}")
        self.log_path = self.data_dir + ".log"
        self.proc: Optional[subprocess.Popen] = None
        self.start()

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.client_port}"

    @property
    def cluster_url(self) -> str:
        """The `--cluster` value of sluice serve."""
        return f"etcd://{self.endpoint}"

    def start(self) -> "EtcdServer":
        self.launch()
        return self.wait_healthy()

    def launch(self, name: str = "e2e", initial_cluster: str = ""):
        """Starts the process without waiting; a member named `name` of `initial_cluster`
        (NAME=PEER_URL,...; empty: a cluster of this member alone)."""
        client, peer = f"http://{self.endpoint}", f"http://127.0.0.1:{self.peer_port}"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [ETCD_BIN, "--name", name, "--data-dir", self.data_dir, "--log-level", "warn",
                 "--listen-client-urls", client, "--advertise-client-urls", client,
                 "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                 "--initial-cluster", initial_cluster or f"{name}={peer}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_healthy(self) -> "EtcdServer":
        wait_until(self._healthy, ETCD_START_DEADLINE_S, f"etcd healthy on {self.endpoint}")
        return self

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            with open(self.log_path) as log:
                raise AssertionError(f"etcd exited with {self.proc.returncode}: {log.read()}")
        with urllib.request.urlopen(f"http://{self.endpoint}/health", timeout=1.0) as answer:
            return json.load(answer).get("health") == "true"

    def stop(self):
        """SIGTERM, then kill -9 after the deadline."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_DEADLINE_S)

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(STOP_DEADLINE_S)

    def get_prefix(self, prefix: str) -> dict:
        """Every key under `prefix` and its value, as etcd's JSON gateway answers them (bytes)."""
        end = bytearray(prefix.encode())
        end[-1] += 1
        body = json.dumps({"key": base64.b64encode(prefix.encode()).decode(),
                           "range_end": base64.b64encode(bytes(end)).decode()}).encode()
        req = urllib.request.Request(f"http://{self.endpoint}/v3/kv/range", data=body, method="POST")
        with urllib.request.urlopen(req, timeout=5.0) as answer:
            kvs = json.load(answer).get("kvs", [])
        return {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv.get("value", "")) for kv in kvs}


class EtcdMember(EtcdServer):
    """A member of an EtcdCluster, named `name`: the cluster starts it with the others (each is
    healthy only once a quorum has formed); start() later starts it again in that cluster."""

    def __init__(self, work_dir, name: str):
        self.name = name
        self.initial_cluster = ""  # set by the cluster before its first start
        super().__init__(work_dir)

    @property
    def peer_entry(self) -> str:
        """This member's part of --initial-cluster."""
        return f"{self.name}=http://127.0.0.1:{self.peer_port}"

    def start(self) -> "EtcdServer":
        if not self.initial_cluster:  # from __init__: the cluster starts it
            return self
        return super().start()

    def launch(self, name: str = "", initial_cluster: str = ""):
        super().launch(self.name, self.initial_cluster)


class EtcdCluster:
    """`size` etcd members (EtcdMember) of one cluster, started together; cluster_url names
    every member, the first one first."""

    def __init__(self, work_dir, size: int = 3):
        self.members = [EtcdMember(work_dir, f"m{i + 1}") for i in range(size)]
        initial = ",".join(m.peer_entry for m in self.members)
        try:
            for m in self.members:
                m.initial_cluster = initial
                m.launch()
            for m in self.members:
                m.wait_healthy()
        except BaseException:
            self.stop()
            raise

    @property
    def cluster_url(self) -> str:
        return "etcd://" + ",".join(m.endpoint for m in self.members)

    def stop(self):
        for m in self.members:
            m.stop()


def cluster_status(cluster_url: str) -> dict:
    """`sluice cluster status --json` as a dict: {"nodes": [{id, advertise, alive, ...}]}."""
    res = subprocess.run([SLUICE_BIN, "cluster", "status", "--json", "--cluster", cluster_url],
                         capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, f"cluster status exited {res.returncode}: {res.stderr.decode()}"
    return json.loads(res.stdout)


# ---------------------------------------------------------------------------------------------
# S3-compatible servers and channels delivering to buckets

MOTO_START_DEADLINE_S = 30.0
MOTO_ACCOUNT = "123456789012"  # the account moto's S3 server owns its buckets with


class MotoServer:
    """`moto_server` (moto[server] beside this Python) on 127.0.0.1, on a free port or `port`,
    started with `env` added to its environment. Its buckets live in its memory only."""

    def __init__(self, log_dir, env: Optional[dict] = None, port: int = 0):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(str(log_dir), f"moto-{self.port}.log")
        self._env = env or {}
        self.proc: Optional[subprocess.Popen] = None
        # Any key does while moto checks none; require_signatures() makes one it checks.
        self.credentials = {"AWS_ACCESS_KEY_ID": "AKIDS3E2E", "AWS_SECRET_ACCESS_KEY": "s3-e2e-secret"}
        self.start()

    def start(self) -> "MotoServer":
        binary = os.path.join(os.path.dirname(sys.executable), "moto_server")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(self.port)],
                                         env={**os.environ, **self._env}, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self._answers, MOTO_START_DEADLINE_S, f"moto_server on {self.url}")
        return self

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            with open(self.log_path) as log:
                raise AssertionError(f"moto_server exited with {self.proc.returncode}: {log.read()}")
        with urllib.request.urlopen(self.url + "/moto-api/", timeout=1.0) as answer:
            return answer.status == 200

    def stop(self):
        """kill -9: moto keeps nothing, so nothing is lost that a clean stop would keep."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def require_signatures(self, session: bool = False) -> dict:
        """Makes an IAM user allowed everything and an access key of it (with `session`: a role
        allowed everything and temporary credentials of it from AssumeRole), then has moto check
        every later request's SigV4 signature (and session token) against them; the credentials
        as AWS_* variables, also in .credentials."""
        iam = client(self.url, service="iam")
        allow_all = json.dumps({"Version": "2012-10-17",
                                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        iam.create_user(UserName="sluice")
        iam.put_user_policy(UserName="sluice", PolicyName="all", PolicyDocument=allow_all)
        key = iam.create_access_key(UserName="sluice")["AccessKey"]
        self.credentials = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
        if session:
            trust = json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MOTO_ACCOUNT}:root"},
                 "Action": "sts:AssumeRole"}]})
            role = iam.create_role(RoleName="sluice", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
            iam.put_role_policy(RoleName="sluice", PolicyName="all", PolicyDocument=allow_all)
            temporary = client(self.url, service="sts").assume_role(RoleArn=role, RoleSessionName="sluice")
            c = temporary["Credentials"]
            self.credentials = {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                                "AWS_SESSION_TOKEN": c["SessionToken"]}
        request = urllib.request.Request(self.url + "/moto-api/reset-auth", data=b"0", method="POST",
                                         headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 200
        return self.credentials

    def s3(self):
        """A boto3 S3 client of this server (path-style, as for any IP endpoint), signing with
        .credentials."""
        return client(self.url, service="s3", access_key_id=self.credentials["AWS_ACCESS_KEY_ID"],
                      secret_access_key=self.credentials["AWS_SECRET_ACCESS_KEY"],
                      session_token=self.credentials.get("AWS_SESSION_TOKEN"))


def bucket_objects(s3, bucket: str, prefix: str = "") -> dict:
    """{key: bytes} of every object of `bucket` under `prefix`, read with ListObjectsV2 (every
    page) and GetObject."""
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            out[entry["Key"]] = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
    return out


CHANNEL_ROLE = "arn:aws:iam::000000000000:role/channel-role"
# The name delivery appends to a key's template:
# <stream>-<shard id>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<first sequence number><extension>
CHANNEL_OBJECT_NAME = (r"(?P<stream>[\w.-]+)-(?P<shard>shardId-\d{12})-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-"
                       r"(?P<seq>\d+)(?P<ext>(\.json|\.txt)?(\.gz|\.zst)?)$")


def on_demand_stream(kinesis, name: str) -> str:
    """Creates the ON_DEMAND stream `name`, waits for ACTIVE; its ARN."""
    kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    return wait_active(kinesis, name)["StreamARN"]


def create_channel(kinesis, name: str, stream_arn: str, bucket: str, owner: str, fmt: str = "JSON",
                   compression: str = "GZIP", freshness: int = 1, **destination) -> str:
    """Creates channel `name` delivering `stream_arn` to `bucket` (`destination` adds members of
    S3DestinationConfiguration, or of its StorageConfiguration when named so), waits for ACTIVE;
    its ARN."""
    storage = {"BucketARN": f"arn:aws:s3:::{bucket}", "ExpectedBucketOwner": owner, "CompressionType": compression}
    for member in ("OutputKeyTemplate", "StorageClass"):
        if member in destination:
            storage[member] = destination.pop(member)
    arn = kinesis.create_channel(
        ChannelName=name,
        ServiceExecutionRoleARN=CHANNEL_ROLE,
        StreamConfigurationList=[{"StreamARN": stream_arn, "RecordConfiguration": {"RecordFormatType": fmt}}],
        S3DestinationConfiguration={"DataFreshnessInSeconds": freshness, "StorageConfiguration": storage,
                                    **destination},
    )["ChannelDescription"]["ChannelARN"]
    wait_until(lambda: kinesis.describe_channel(ChannelARN=arn)["ChannelDescription"]["ChannelStatus"] == "ACTIVE",
               10, f"channel {name} ACTIVE")
    return arn


def decompress_object(key: str, body: bytes) -> bytes:
    """A delivered object's body as its key's extension says (.gz, .zst or neither)."""
    if key.endswith(".gz"):
        return gzip.decompress(body)
    if key.endswith(".zst"):
        return subprocess.run(["zstd", "-d", "-c", "-q"], input=body, capture_output=True, check=True).stdout
    return body


def put_json_ids(kinesis, stream: str, ids: list):
    """PutRecords of {"id": i, "pad": ...} for each i, keyed k<i>, 500 a call; none may fail."""
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        r = kinesis.put_records(StreamName=stream, Records=[
            {"Data": json.dumps({"id": i, "pad": "x" * 20}).encode(), "PartitionKey": f"k{i}"} for i in chunk])
        assert r["FailedRecordCount"] == 0


def kill9_while_putting_json(server: SluiceServer, stream: str, sent: int, burst: int = 500) -> int:
    """Kills `server` with -9 and restarts it three times, each at a different point of a
    one-second delivery batch (before, between and after puts and checkpoints) while JSON records
    keep coming (put_json_ids: `burst` ids, then one at a time until the kill); the next id."""
    for delay in (0.2, 0.55, 0.9):
        kinesis = client(server.endpoint)
        put_json_ids(kinesis, stream, list(range(sent, sent + burst)))
        sent += burst
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            put_json_ids(kinesis, stream, [sent])
            sent += 1
        server.kill9()
        server.restart()
    return sent


def metrics_text(endpoint: str) -> str:
    with urllib.request.urlopen(endpoint + "/metrics", timeout=5) as answer:
        return answer.read().decode()


def channel_figure(endpoint: str, metric: str, channel: str, account: str = "000000000000") -> int:
    """The value of `sluice_channel_<metric>` for `channel` on /metrics (which must show it)."""
    labels = f'account="{account}",region="{REGION}",channel="{channel}"'
    m = re.search(rf"^sluice_channel_{metric}{{{re.escape(labels)}}} (\d+)$", metrics_text(endpoint), re.M)
    assert m, f"no sluice_channel_{metric} for channel {channel}"
    return int(m.group(1))


def wait_channel_figure(endpoint: str, metric: str, channel: str, value: int, timeout: float = 10.0):
    """Waits until `sluice_channel_<metric>` of `channel` is `value`: delivery counts an object
    after storing it and saving its checkpoint, so a reader of the bucket can see it first."""
    wait_until(lambda: channel_figure(endpoint, metric, channel) == value, timeout,
               f"sluice_channel_{metric} of {channel} at {value}")


def console_channels(endpoint: str) -> dict:
    with urllib.request.urlopen(endpoint + "/console/api/channels", timeout=5) as answer:
        return json.loads(answer.read())
