"""`sluice bench groups`: put -> member latency of a consumer group, and the time a member
joining and one leaving leave shards unread, against a server of its own."""

from __future__ import annotations

import json
import subprocess

import sluice_e2e as e2e


def bench_groups(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([e2e.SLUICE_BIN, "bench", "groups", *args], capture_output=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_bench_groups_delivers_every_record_and_times_both_rebalances(spawn):
    server = spawn("--durability", "memory")
    # A short session (heartbeats every 0.5 s) so that each change settles within its 3 s.
    res = bench_groups("--endpoint", server.endpoint, "--rate", "200", "--shards", "4", "--members", "2",
                       "--warmup", "2", "--duration", "9", "--session-timeout", "1.5", "--poll-ms", "20", "--json")
    assert res.returncode == 0, res.stderr.decode()
    result = json.loads(res.stdout)
    assert result["workload"] == "groups" and result["ran"], result
    assert result["errors"] == 0, result["note"]
    fields = result["fields"]
    # Every record put was delivered ("errors" counts the missing); those put after the warmup
    # have a latency each.
    put = round(fields["produced"] * 11)
    assert f"put {put}, delivered {put} (0 missing" in result["note"], result["note"]
    assert put * 0.7 <= result["latency_ms"]["count"] <= put * 0.9, result
    assert 0 < result["latency_ms"]["p50"] <= result["latency_ms"]["p99"] <= result["latency_ms"]["max"]
    assert fields["mode"] == "polling" and fields["members"] == 2 and fields["shards"] == 4
    # 2 -> 3 members on 4 shards moves one shard; the first member's leave moves its shards.
    assert fields["join-moved"] >= 1 and fields["leave-moved"] >= 1 and fields["leave-unread"] == 0, fields
    assert 0 < fields["join-ms"] < 3000 and 0 < fields["leave-ms"] < 3000, fields


def test_bench_groups_text_line_polled_and_pushed(spawn):
    server = spawn("--durability", "memory")
    res = bench_groups("--endpoint", server.endpoint, "--rate", "100", "--warmup", "1", "--duration", "2", "--no-rebalance")
    assert res.returncode == 0, res.stderr.decode()
    lines = res.stdout.decode().splitlines()
    assert lines[0].startswith("# sluice bench groups"), lines
    line = next(line for line in lines if line.startswith("groups "))
    assert " errors 0 " in line and " mode polling " in line and "join-ms" not in line, line

    pushed = bench_groups("--endpoint", server.endpoint, "--rate", "100", "--warmup", "1", "--duration", "2",
                          "--no-rebalance", "--push")
    assert pushed.returncode == 0, pushed.stderr.decode()
    line = next(line for line in pushed.stdout.decode().splitlines() if line.startswith("groups "))
    assert " errors 0 " in line and " mode push " in line, line
