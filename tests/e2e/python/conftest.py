"""Fixtures: one shared server for the protocol tests, fresh servers for process-control tests."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import sluice_e2e as e2e  # noqa: E402


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory):
    yield from e2e.serve_endpoint(str(tmp_path_factory.mktemp("shared-data")))


@pytest.fixture(scope="session")
def kinesis(endpoint):
    return e2e.client(endpoint.url)


@pytest.fixture(scope="session")
def account(kinesis):
    """The account id the server reports in ARNs (and hence in its error messages)."""
    return e2e.probe_account(kinesis)


@pytest.fixture
def new_stream(kinesis):
    """Factory: creates an ACTIVE stream with a unique name; deletes it after the test."""
    created = []

    def make(shards: int = 1, prefix: str = "e2e", **kw) -> str:
        name = e2e.unique_name(prefix)
        e2e.create_stream(kinesis, name, shards, **kw)
        created.append(name)
        return name

    yield make
    for name in created:
        try:
            kinesis.delete_stream(StreamName=name)
        except Exception:  # noqa: BLE001 - already deleted by the test
            pass


@pytest.fixture
def spawn(tmp_path):
    """Factory for servers this test controls (kill -9, restart, corrupt files).

    Needs a binary: with SLUICE_E2E_ENDPOINT alone these tests are reported as not run."""
    if e2e.ENDPOINT and not (e2e.SLUICE_BIN and os.path.isfile(e2e.SLUICE_BIN)):
        pytest.skip("not run: needs process control over a Sluice binary (SLUICE_BIN)")
    servers = []

    def make(*extra_args: str, data_dir: str | None = None, env: dict | None = None,
             **options) -> e2e.SluiceServer:
        """`options`: SluiceServer's other fields (host, prefix, preexec_fn)."""
        d = data_dir or str(tmp_path / f"data{len(servers)}")
        os.makedirs(d, exist_ok=True)
        s = e2e.SluiceServer(d, list(extra_args), env, **options)
        servers.append(s)
        return s.start()

    yield make
    for s in servers:
        s.cleanup()
    # Failure messages carry the server log; the data itself is not kept (it can be large).
    for s in servers:
        shutil.rmtree(s.data_dir, ignore_errors=True)


@pytest.fixture
def etcd(tmp_path):
    """One etcd member of this test's own (Debian's etcd on free ports, data in tmp_path)."""
    server = e2e.EtcdServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def etcd3(tmp_path):
    """Three etcd members of one cluster (EtcdCluster), this test's own."""
    cluster = e2e.EtcdCluster(tmp_path, 3)
    yield cluster
    cluster.stop()


@pytest.fixture
def moto(tmp_path):
    """moto's S3 server, a process of its own on a free port (any credentials accepted)."""
    server = e2e.MotoServer(tmp_path)
    yield server
    server.stop()


def pytest_sessionfinish(session, exitstatus):
    """A test that did not run is not a pass: make the run fail when anything was skipped."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and session.exitstatus == 0:
        session.exitstatus = 1
