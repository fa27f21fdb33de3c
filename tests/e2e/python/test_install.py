"""`cmake --install` and the Debian package (CPack) of the build under test: a working binary, a
man page that renders, bash and zsh completion that parse and complete, a systemd unit that
verifies, and a package naming its dependencies."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

import sluice_e2e as e2e

BUILD_DIR = os.path.dirname(e2e.SLUICE_BIN)


def run(*args, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("timeout", 120)
    result = subprocess.run(list(args), capture_output=True, text=True, **kw)
    assert result.returncode == 0, result
    return result


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    root = tmp_path_factory.mktemp("prefix")
    run("cmake", "--install", BUILD_DIR, "--prefix", str(root))
    return root


def test_the_installed_binary_runs(prefix):
    out = run(str(prefix / "bin" / "sluice"), "--version").stdout
    assert re.fullmatch(r"sluice \d+\.\d+\.\d+ \(git \S+, built \d{4}-\d\d-\d\d\)\n", out), out


def test_the_man_page_renders_with_the_serve_flags(prefix):
    page = prefix / "share" / "man" / "man1" / "sluice.1"
    rendered = run("groff", "-man", "-Tutf8", "-ww", str(page))
    assert rendered.stderr == "", rendered.stderr  # -ww: every warning on
    text = re.sub(r".\x08", "", rendered.stdout)
    for expected in ("SERVE OPTIONS", "--data-dir", "SLUICE_DATA_DIR", "CONFIGURATION FILE", "SIGHUP"):
        assert expected in text, expected
    assert BUILD_DIR not in text  # the build's path is not in the page


def test_bash_completion_parses_and_completes_sub_commands_and_flags(prefix):
    script = prefix / "share" / "bash-completion" / "completions" / "sluice"
    run("bash", "-n", str(script))

    def complete(*words: str) -> list:
        line = " ".join(f"'{w}'" for w in words)
        probe = (f"source '{script}'; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _sluice; "
                 'printf "%s\\n" "${COMPREPLY[@]}"')
        return run("bash", "-c", probe).stdout.split()

    assert complete("sluice", "stream", "cr") == ["create"]
    assert complete("sluice", "serve", "--data-") == ["--data-dir"]
    assert "--config" in complete("sluice", "serve", "--con")
    assert complete("sluice", "stream", "create", "--sh") == ["--shards"]
    assert complete("sluice", "serve", "--config", "") == []  # a value: bash completes file names


def test_zsh_completion_is_a_compdef_function_that_completes(prefix):
    script = prefix / "share" / "zsh" / "site-functions" / "_sluice"
    text = script.read_text()
    assert text.startswith("#compdef sluice\n")
    assert shutil.which("zsh"), "zsh is a test dependency (scripts/bootstrap installs it)"
    run("zsh", "-n", str(script))

    def complete(*words: str) -> list:
        """What the function offers for the last word: zsh's compadd and _files stand-ins print
        the candidates; zsh itself would then keep those starting with the word typed."""
        line = " ".join(f"'{w}'" for w in words)
        probe = ("compadd() { [[ $1 == -- ]] && shift; print -rl -- \"$@\" }; _files() { print -r -- '<files>' }; "
                 f"words=({line}); CURRENT={len(words)}; source '{script}'")
        offered = run("zsh", "-f", "-c", probe).stdout.split()
        return [w for w in offered if w == "<files>" or w.startswith(words[-1])]

    assert complete("sluice", "stream", "cr") == ["create"]
    assert complete("sluice", "serve", "--data-") == ["--data-dir"]
    assert "--config" in complete("sluice", "serve", "--con")
    assert complete("sluice", "stream", "create", "--sh") == ["--shards"]
    assert complete("sluice", "serve", "--config", "") == ["<files>"]  # a value: file names


def test_the_systemd_unit_runs_the_installed_binary_with_the_config(prefix):
    unit = prefix / "lib" / "systemd" / "system" / "sluice.service"
    text = unit.read_text()
    assert f"ExecStart={prefix}/bin/sluice serve --config /etc/sluice/sluice.toml" in text
    for setting in ("StateDirectory=sluice", "DynamicUser=yes", "Restart=on-failure", "ProtectSystem=strict"):
        assert setting in text, setting
    run("systemd-analyze", "verify", "--man=no", str(unit))


def test_the_example_config_is_accepted_by_serve(prefix, tmp_path):
    """The installed example, with the data dir and port overridden on the command line."""
    example = prefix / "share" / "doc" / "sluice" / "sluice.toml"
    server = e2e.SluiceServer(str(tmp_path / "data"), ["--config", str(example), "--admin-port", "-1"])
    try:
        server.start()
        assert f"listening on 127.0.0.1:{server.port}" in server.log
        server.stop()
    finally:
        server.cleanup()


def test_the_debian_package_holds_the_server_and_names_its_dependencies(tmp_path):
    run("cpack", "-G", "DEB", "-B", str(tmp_path), cwd=BUILD_DIR, timeout=300)
    debs = [f for f in os.listdir(tmp_path) if f.endswith(".deb")]
    assert len(debs) == 1, os.listdir(tmp_path)
    deb = str(tmp_path / debs[0])
    files = run("dpkg-deb", "-c", deb).stdout
    for path in ("./usr/bin/sluice", "./usr/share/man/man1/sluice.1",
                 "./usr/share/bash-completion/completions/sluice", "./usr/share/zsh/site-functions/_sluice",
                 "./usr/lib/systemd/system/sluice.service", "./etc/sluice/sluice.toml"):
        assert re.search(rf" {re.escape(path)}$", files, re.M), (path, files)
    info = run("dpkg-deb", "-I", deb).stdout
    depends = re.search(r"^ Depends: (.*)$", info, re.M)
    assert depends, info
    for library in ("libssl3", "libnghttp2-14", "libfmt9", "libsimdjson14", "zlib1g", "libc6"):
        assert library in depends.group(1), depends.group(1)
    assert run("dpkg-deb", "-f", deb, "Package").stdout.strip() == "sluice"
    extracted = tmp_path / "root"
    run("dpkg-deb", "-x", deb, str(extracted))
    assert "ExecStart=/usr/bin/sluice serve" in (extracted / "usr/lib/systemd/system/sluice.service").read_text()
    control = tmp_path / "control"
    run("dpkg-deb", "-e", deb, str(control))
    assert (control / "conffiles").read_text().split() == ["/etc/sluice/sluice.toml"]
