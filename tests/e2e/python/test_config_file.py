"""`sluice serve --config FILE`: a TOML file of serve flags, below flags and SLUICE_* variables."""

from __future__ import annotations

import subprocess

import sluice_e2e as e2e


def write(path, text: str) -> str:
    path.write_text(text)
    return str(path)


def test_a_config_file_sets_the_server_up(spawn, tmp_path):
    config = write(tmp_path / "sluice.toml", """
# the harness passes --port 0 and --data-dir, which win over these
port = 4567
data-dir = "/nonexistent"
durability = "memory"          # no files
region = "eu-west-1"
account = "123456789012"
limit = ["shard-write-records=2", "control-plane=0"]
log-requests = true
""")
    server = spawn("--config", config)
    kinesis = e2e.client(server.endpoint, region="eu-west-1")
    e2e.create_stream(kinesis, "cfg", 1)
    arn = kinesis.describe_stream_summary(StreamName="cfg")["StreamDescriptionSummary"]["StreamARN"]
    assert arn == "arn:aws:kinesis:eu-west-1:123456789012:stream/cfg"
    kinesis.put_record(StreamName="cfg", PartitionKey="k", Data=b"x")
    assert "durability memory" in server.log and "shard-write-records" in server.log, server.log
    assert "operation=PutRecord" in server.log or '"operation":"PutRecord"' in server.log, server.log
    assert server.segment_files() == []
    server.stop()


def test_a_variable_wins_over_the_file(spawn, tmp_path):
    config = write(tmp_path / "sluice.toml", 'region = "eu-west-1"\naccount = "123456789012"\n')
    server = spawn("--config", config, env={"SLUICE_REGION": "ap-south-1"})
    kinesis = e2e.client(server.endpoint, region="ap-south-1")
    e2e.create_stream(kinesis, "cfg", 1)
    arn = kinesis.describe_stream_summary(StreamName="cfg")["StreamDescriptionSummary"]["StreamARN"]
    assert arn == "arn:aws:kinesis:ap-south-1:123456789012:stream/cfg"
    server.stop()


def test_an_unknown_key_stops_the_server_naming_the_file_and_key(tmp_path):
    config = write(tmp_path / "bad.toml", "port = 0\ndurabilty = \"os\"\n")
    run = subprocess.run([e2e.SLUICE_BIN, "serve", "--config", config, "--data-dir", str(tmp_path / "d")],
                         capture_output=True, text=True, timeout=20)
    assert run.returncode == 2, run
    assert f"--config {config}: unknown key `durabilty`" in run.stderr, run.stderr
    assert not (tmp_path / "d").exists()


def test_a_missing_config_file_is_a_usage_error(tmp_path):
    run = subprocess.run([e2e.SLUICE_BIN, "serve", "--config", str(tmp_path / "none.toml")],
                         capture_output=True, text=True, timeout=20)
    assert run.returncode == 2, run
    assert "none.toml" in run.stderr, run.stderr
