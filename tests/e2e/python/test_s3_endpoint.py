"""`sluice serve --s3-endpoint`: the S3-compatible server channels deliver to, checked at startup
against moto's S3 server (a process of its own): one that answers as S3 is logged, one that does
not answer yet is warned about, and one that refuses the credentials, or a flag without
credentials, stops the server with a message naming the cause."""

from __future__ import annotations

import os
import subprocess

import pytest

import sluice_e2e as e2e

REFUSAL_DEADLINE_S = 20.0
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIDS3E2E", "AWS_SECRET_ACCESS_KEY": "s3-e2e-secret"}


@pytest.fixture
def moto_with_auth(tmp_path):
    """moto checking access keys and signatures (it knows none of ours)."""
    server = e2e.MotoServer(tmp_path, {"INITIAL_NO_AUTH_ACTION_COUNT": "0"})
    yield server
    server.stop()


def serve_to_exit(tmp_path, *args: str, env: dict) -> subprocess.CompletedProcess:
    """Runs `sluice serve ARGS` with `env` to its exit (output in .stdout, stderr merged)."""
    try:
        return subprocess.run([e2e.SLUICE_BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir",
                               str(tmp_path / "data"), *args],
                              env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=REFUSAL_DEADLINE_S, text=True)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"the server was still running after {REFUSAL_DEADLINE_S}s; output:\n{e.output}") from None


def test_an_s3_endpoint_that_answers_is_logged_and_the_server_serves(spawn, moto):
    server = spawn(env={"SLUICE_S3_ENDPOINT": moto.url, "SLUICE_S3_REGION": "eu-west-1", **CREDENTIALS})
    assert (f"channels deliver to s3 {moto.url} (region eu-west-1), which answers as S3 "
            f"(access key {CREDENTIALS['AWS_ACCESS_KEY_ID']})") in server.log, server.log
    e2e.client(server.endpoint).list_streams()


def test_an_s3_endpoint_that_does_not_answer_is_warned_about_and_the_server_serves(spawn, monkeypatch):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    closed = f"http://127.0.0.1:{e2e.free_port()}"
    server = spawn("--s3-endpoint", closed)
    assert f"channels deliver to s3 {closed} (region us-east-1), which does not answer now (ConnectionFailed" \
        in server.log, server.log
    assert "delivery retries" in server.log, server.log
    e2e.client(server.endpoint).list_streams()


def test_an_s3_endpoint_that_refuses_the_access_key_stops_the_server(tmp_path, moto_with_auth):
    done = serve_to_exit(tmp_path, "--s3-endpoint", moto_with_auth.url, env=CREDENTIALS)
    assert done.returncode == 1, done.stdout
    assert f"AccessDenied: --s3-endpoint {moto_with_auth.url}: GET / at {moto_with_auth.url}: " in done.stdout, \
        done.stdout
    assert "(InvalidAccessKeyId, HTTP 403)" in done.stdout, done.stdout


def test_an_s3_endpoint_without_credentials_stops_the_server(tmp_path, moto):
    done = serve_to_exit(tmp_path, "--s3-endpoint", moto.url, env={})
    assert done.returncode == 1, done.stdout
    assert "--s3-endpoint needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment" in done.stdout, \
        done.stdout


@pytest.mark.parametrize("url", ["s3://bucket", "http://127.0.0.1:9000/bucket"])
def test_an_s3_endpoint_that_is_not_a_base_url_is_refused(tmp_path, url):
    done = serve_to_exit(tmp_path, "--s3-endpoint", url, env=CREDENTIALS)
    assert done.returncode != 0, done.stdout
    assert "--s3-endpoint" in done.stdout, done.stdout
