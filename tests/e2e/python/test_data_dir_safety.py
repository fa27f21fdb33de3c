"""The data directory is never emptied by accident: a lost metadata file stops the server instead of
starting it empty, and start-up cleanup removes only what the server itself marked.

These tests own their server processes (fresh data dir each)."""

from __future__ import annotations

import glob
import os
import shutil

import pytest

import sluice_e2e as e2e


def listing(root: str) -> dict:
    """Every file under `root` with its size, and every folder (size None)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = None
        for f in filenames:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = os.path.getsize(p)
    return out


def stream_folders(data_dir: str, name: str) -> list:
    return glob.glob(os.path.join(data_dir, "streams", "*", "*", f"{name}-*[0-9]"))


def put_many(kinesis, name: str, count: int) -> list:
    sent = []
    for i in range(0, count, 100):
        batch = [{"PartitionKey": f"k{j}", "Data": f"{name}-{j}:".encode() + b"x" * 2000}
                 for j in range(i, min(i + 100, count))]
        res = kinesis.put_records(StreamName=name, Records=batch)
        assert res.get("FailedRecordCount", 0) == 0
        sent += [r["Data"] for r in batch]
    return sent


def served(kinesis, name: str) -> list:
    return sorted(r["Data"] for recs in e2e.read_stream(kinesis, name, timeout=60).values() for r in recs)


def test_lost_metadata_stops_the_server_and_deletes_nothing(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    sent = {}
    for name, shards in (("orders", 2), ("clicks", 1), ("audit", 3)):
        e2e.create_stream(kinesis, name, shards)
        sent[name] = put_many(kinesis, name, 300)
    server.stop()

    metadata = os.path.join(server.data_dir, "metadata")
    backup = server.data_dir + ".metadata-backup"
    shutil.move(metadata, backup)
    before = listing(server.data_dir)
    assert sum(v or 0 for v in before.values()) > 1_000_000, "the streams hold data"

    with pytest.raises(AssertionError, match="before listening"):
        server.restart()
    assert server.proc.returncode not in (0, None)
    assert ("holds stream data (3 stream directories" in server.log
            and "but no metadata file; refusing to start so nothing is deleted" in server.log), server.log
    assert f"Restore {metadata} from a backup" in server.log, server.log
    assert listing(server.data_dir) == before, "files were created, changed or removed"

    shutil.move(backup, metadata)
    server.restart()
    kinesis = e2e.client(server.endpoint)
    assert sorted(kinesis.list_streams()["StreamNames"]) == ["audit", "clicks", "orders"]
    for name, data in sent.items():
        assert served(kinesis, name) == sorted(data)
    server.stop()


def test_folders_the_server_did_not_make_survive_restarts_and_saves(spawn):
    server = spawn()
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "kept", 1)
    sent = put_many(kinesis, "kept", 50)
    server.stop()

    [kept] = stream_folders(server.data_dir, "kept")
    region = os.path.dirname(kept)
    planted = [
        os.path.join(region, "mybackup-2024", "dump.bin"),
        os.path.join(server.data_dir, "streams", "999999999999", "eu-west-1", "theirs-1600000000000",
                     "shard-000000000000", "00000000000000000000.log"),
        os.path.join(kept, "shard-000000000009", "00000000000000000000.log"),
    ]
    for p in planted:
        os.makedirs(os.path.dirname(p))
        with open(p, "wb") as f:
            f.write(b"not the server's" * 100)

    server.restart()
    kinesis = e2e.client(server.endpoint)
    # Each logged once, at the level where the server stops knowing it.
    for unknown in (os.path.dirname(planted[0]), os.path.dirname(os.path.dirname(planted[1])),
                    os.path.dirname(planted[2])):
        assert server.log.count(f"engine: leaving unknown directory {unknown} alone") == 1, server.log
    # Metadata saves (a create, a delete) do not touch them either.
    e2e.create_stream(kinesis, "other", 2)
    kinesis.delete_stream(StreamName="other")
    e2e.wait_gone(kinesis, "other")
    assert stream_folders(server.data_dir, "other") == []
    server.stop()
    server.restart()
    kinesis = e2e.client(server.endpoint)
    for p in planted:
        assert os.path.getsize(p) == 1600, p
    assert served(kinesis, "kept") == sorted(sent)
    server.stop()


def test_kill9_right_after_delete_stream_finishes_the_deletion(spawn):
    server = spawn(env={"SLUICE_DELETE_STREAM_MS": "1000"})
    kinesis = e2e.client(server.endpoint)
    e2e.create_stream(kinesis, "doomed", 2)
    e2e.create_stream(kinesis, "kept", 1)
    put_many(kinesis, "doomed", 200)
    sent = put_many(kinesis, "kept", 20)
    [doomed] = stream_folders(server.data_dir, "doomed")
    kinesis.delete_stream(StreamName="doomed")
    server.kill9()
    assert os.path.isdir(doomed), "killed before the deletion was due"

    server = spawn(data_dir=server.data_dir)
    kinesis = e2e.client(server.endpoint)
    e2e.wait_gone(kinesis, "doomed", timeout=15)
    e2e.wait_until(lambda: not os.path.exists(doomed), 10, f"{doomed} removed")
    # The folder is first renamed to <name>.pending, then removed: that too ends.
    pending = os.path.join(server.data_dir, "streams", "**", "*.pending")
    e2e.wait_until(lambda: glob.glob(pending, recursive=True) == [], 10, "no .pending folder left")
    assert kinesis.list_streams()["StreamNames"] == ["kept"]
    assert served(kinesis, "kept") == sorted(sent)
    server.stop()
