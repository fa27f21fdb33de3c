#!/usr/bin/env python3
"""A member of a Sluice consumer group, on plain HTTP and botocore's SigV4 signing.

It joins GROUP on STREAM, heartbeats at the interval the server gives, reads
the shards the server assigns it with GetShardIterator/GetRecords, prints each
record as a JSON line, checkpoints after printing, and leaves the group on
Ctrl-C (SIGINT) or SIGTERM. The API: docs/consumer-groups.md.

    python3 member.py STREAM GROUP [--member-id ID]

Endpoint from SLUICE_ENDPOINT (default http://127.0.0.1:4567), region from
AWS_REGION (default us-east-1), keys from AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (any will do for a server without --auth).
"""

import argparse
import base64
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ENDPOINT = os.environ.get("SLUICE_ENDPOINT", "http://127.0.0.1:4567")
REGION = os.environ.get("AWS_REGION", "us-east-1")
CREDENTIALS = Credentials(
    os.environ.get("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    os.environ.get("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
)


class ServiceError(Exception):
    def __init__(self, type_, message):
        super().__init__(f"{type_}: {message}")
        self.type = type_


def call(target, operation, body):
    """POSTs one signed JSON call; returns the answer, or raises ServiceError."""
    data = json.dumps(body).encode()
    request = AWSRequest(
        method="POST",
        url=ENDPOINT + "/",
        data=data,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{target}.{operation}"},
    )
    SigV4Auth(CREDENTIALS, "kinesis", REGION).add_auth(request)
    http_request = urllib.request.Request(ENDPOINT + "/", data=data, headers=dict(request.headers), method="POST")
    try:
        with urllib.request.urlopen(http_request, timeout=30) as answer:
            return json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as e:
        error = json.loads(e.read() or b"{}")
        raise ServiceError(error.get("__type", f"HTTP {e.code}").split("#")[-1], error.get("message", "")) from None


def groups(operation, body):
    return call("Sluice_20261207", operation, body)


def kinesis(operation, body):
    return call("Kinesis_20131202", operation, body)


class Member:
    def __init__(self, stream, group, member_id):
        self.stream, self.group, self.member_id = stream, group, member_id
        self.generation = 0
        self.interval = 1.0
        self.shards = {}  # shard id -> {"start": StartingPosition, "iterator": str|None, "last": sequence number}
        self.next_heartbeat = 0.0

    def join(self):
        body = {"StreamName": self.stream, "GroupName": self.group}
        if self.member_id:
            body["MemberId"] = self.member_id
        answer = groups("JoinGroup", body)
        self.member_id = answer["MemberId"]
        self.shards = {}
        self.follow(answer)
        print(f"joined {self.group} as {self.member_id}", file=sys.stderr, flush=True)

    def follow(self, answer):
        """Takes a JoinGroup or Heartbeat answer: stops the shards no longer listed, starts the new ones."""
        self.generation = answer["Generation"]
        self.interval = answer.get("HeartbeatIntervalMillis", 1000) / 1000
        self.next_heartbeat = time.monotonic() + self.interval
        assigned = {a["ShardId"]: a["StartingPosition"] for a in answer["Assignment"]}
        for shard_id in list(self.shards):
            if shard_id not in assigned:
                del self.shards[shard_id]
        for shard_id, start in assigned.items():
            if shard_id not in self.shards:
                self.shards[shard_id] = {"start": start, "iterator": None, "last": start.get("SequenceNumber")}
        print(f"generation {self.generation}: reading {sorted(self.shards)}", file=sys.stderr, flush=True)

    def heartbeat(self):
        try:
            body = {"StreamName": self.stream, "GroupName": self.group, "MemberId": self.member_id}
            self.follow(groups("Heartbeat", body))
        except ServiceError as e:
            if e.type != "UnknownMemberException":
                raise
            self.join()  # the session ended: join again

    def checkpoint(self, shard_id, sequence_number, shard_end=False):
        body = {"StreamName": self.stream, "GroupName": self.group, "MemberId": self.member_id,
                "Generation": self.generation, "ShardId": shard_id}
        if sequence_number:
            body["SequenceNumber"] = sequence_number
        if shard_end:
            body["ShardEnd"] = True
        try:
            groups("CheckpointGroup", body)
            return True
        except ServiceError as e:
            if e.type == "FencedMemberException":  # the shard is another member's now
                self.shards.pop(shard_id, None)
                return False
            if e.type == "UnknownMemberException":
                self.join()
                return False
            raise

    def read(self, shard_id, shard):
        """One GetRecords of a shard; True when it returned records."""
        if shard["iterator"] is None:
            request = {"StreamName": self.stream, "ShardId": shard_id}
            if shard["last"]:
                request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=shard["last"])
            else:
                request["ShardIteratorType"] = shard["start"]["Type"]
            shard["iterator"] = kinesis("GetShardIterator", request)["ShardIterator"]
        answer = kinesis("GetRecords", {"ShardIterator": shard["iterator"]})
        records = answer.get("Records", [])
        for r in records:
            line = {"ShardId": shard_id, "SequenceNumber": r["SequenceNumber"], "PartitionKey": r["PartitionKey"],
                    "Data": base64.b64decode(r["Data"]).decode("utf-8", "replace")}
            print(json.dumps(line), flush=True)
        if records:
            shard["last"] = records[-1]["SequenceNumber"]
            if not self.checkpoint(shard_id, shard["last"]):
                return True
        shard["iterator"] = answer.get("NextShardIterator")
        if shard["iterator"] is None:  # a closed shard read to its end: its children come next
            if self.checkpoint(shard_id, shard["last"], shard_end=True):
                self.shards.pop(shard_id, None)
            self.next_heartbeat = 0
        return bool(records)

    def leave(self):
        try:
            groups("LeaveGroup", {"StreamName": self.stream, "GroupName": self.group, "MemberId": self.member_id})
            print(f"left {self.group}", file=sys.stderr, flush=True)
        except ServiceError as e:
            print(f"leaving: {e}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stream")
    parser.add_argument("group")
    parser.add_argument("--member-id", default="")
    args = parser.parse_args()
    stopping = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.append(True))
    member = Member(args.stream, args.group, args.member_id)
    member.join()
    try:
        while not stopping:
            if time.monotonic() >= member.next_heartbeat:
                member.heartbeat()
            busy = False
            for shard_id, shard in list(member.shards.items()):
                if stopping or shard_id not in member.shards:
                    break
                busy = member.read(shard_id, shard) or busy
            if not busy and not stopping:
                time.sleep(min(0.5, max(0.0, member.next_heartbeat - time.monotonic())))
    finally:
        member.leave()


if __name__ == "__main__":
    main()
