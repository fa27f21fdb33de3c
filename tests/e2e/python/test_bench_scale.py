"""`sluice bench`'s scale workloads at a tiny size, against a server the bench starts and restarts
itself (--server-bin): every figure is measured, and no server is left running."""

from __future__ import annotations

import os
import subprocess

import pytest

import sluice_e2e as e2e


def fields(line: str) -> dict:
    """The `key value` pairs after `errors` on one workload line."""
    words = line.split()
    at = words.index("errors")
    return dict(zip(words[at + 2::2], words[at + 3::2]))


@e2e.requires_sluice("starts the sluice binary as a child")
def test_scale_workloads_measure_a_server_they_start_and_leave_none_running(tmp_path):
    data_dir = str(tmp_path / "data")
    cmd = [e2e.SLUICE_BIN, "bench", "--endpoint", f"http://127.0.0.1:{e2e.free_port()}",
           "--server-bin", e2e.SLUICE_BIN, "--data-dir", data_dir, "--scale-timeout", "60",
           "--server-args", "--create-stream-ms 0 --delete-stream-ms 0",
           "--workloads", "many-shards,many-streams", "--shard-counts", "150", "--stream-counts", "5"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = {line.split()[0]: line for line in res.stdout.splitlines() if not line.startswith(("#", " "))}

    shards = fields(lines["many-shards/150"])
    assert shards["reached"] == "150" and shards["written-shards"] == "150", shards
    assert shards["list-100-pages"] == "2" and shards["list-100-items"] == "150", shards
    assert shards["describe-100-items"] == "150", shards
    for key in ("rss-B-per-shard", "fds-per-shard", "disk-B-per-shard", "scrape-B", "restart-s"):
        assert shards[key] != "-" and float(shards[key]) >= 0, (key, shards)
    assert int(shards["scrape-B"]) > 0 and float(shards["disk-B-per-shard"]) > 0, shards

    streams = fields(lines["many-streams/5"])
    assert streams["reached"] == "5" and streams["liststreams-100-items"] == "5", streams
    assert float(streams["restart-s"]) > 0, streams

    # The bench stopped the server it started: nothing holds the data directory's lock.
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    holders = []
    for pid in pids:
        try:
            if data_dir in open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace"):
                holders.append(pid)
        except OSError:
            pass
    assert holders == [], holders


@e2e.requires_sluice("runs the sluice binary")
def test_a_create_that_outlasts_the_timeout_reports_what_it_reached(tmp_path):
    cmd = [e2e.SLUICE_BIN, "bench", "--endpoint", f"http://127.0.0.1:{e2e.free_port()}",
           "--server-bin", e2e.SLUICE_BIN, "--data-dir", str(tmp_path / "data"), "--scale-timeout", "1",
           "--server-args", "--create-stream-ms 5000",
           "--workloads", "many-shards", "--shard-counts", "10"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "created 0 of 10 shards in " in res.stdout, res.stdout
    assert "not ACTIVE in time (last status: CREATING)" in res.stdout, res.stdout
