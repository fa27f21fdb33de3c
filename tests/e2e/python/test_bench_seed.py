"""`sluice bench seed --quick`: the client library's report (Markdown tables and PNG plots
drawn by gnuplot) against a server of its own."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import zlib

import sluice_e2e as e2e


def png_info(path: str) -> tuple:
    """Checks a PNG completely (signature, every chunk's CRC, IHDR first, IEND last, the image
    data inflating to exactly the scanlines IHDR describes); returns (width, height)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG signature"
    pos, chunks, idat = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"{path}: bad CRC in chunk {kind!r}"
        chunks.append(kind)
        if kind == b"IDAT":
            idat += body
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", f"{path}: chunks {chunks}"
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    row = 1 + (width * channels * depth + 7) // 8
    assert len(zlib.decompress(idat)) == height * row, f"{path}: image data does not match IHDR"
    return width, height


def table_rows(markdown: str, heading: str) -> list:
    section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("|--")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


def test_bench_seed_quick_writes_tables_and_plots(spawn, tmp_path):
    server = spawn("--durability", "memory")
    out = tmp_path / "seed"
    res = subprocess.run([e2e.SLUICE_BIN, "bench", "seed", "--quick", "--endpoint", server.endpoint,
                          "--out", str(out)], capture_output=True, timeout=180, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stderr.decode()
    md = (out / "results.md").read_text()
    assert res.stdout.decode() == md

    puts = table_rows(md, "Puts")
    assert [(r[0], r[1]) for r in puts] == [(s, api) for s in ("1", "2", "3") for api in ("PutRecord", "PutRecords")]
    for shards, api, rate, per_shard, mbs, records, errors in puts:
        assert float(rate) > 0 and int(records) > 0 and errors == "0", (shards, api)
        assert abs(float(per_shard) - float(rate) / int(shards)) <= 1, (shards, api)
    # Batching beats one record per call.
    for shards in ("1", "2", "3"):
        single, batched = (float(r[2]) for r in puts if r[0] == shards)
        assert batched > single, shards

    # Puts and gets together: PutRecord while a reader polls every shard; the reader gets all.
    together = table_rows(md, "Puts and gets together")
    assert [r[0] for r in together] == ["1", "2", "3"]
    for shards, rate, per_shard, read_rate, put, read, errors in together:
        assert float(rate) > 0 and int(put) > 0 and errors == "0", shards
        assert abs(float(per_shard) - float(rate) / int(shards)) <= 1, shards
        assert float(read_rate) > 0, shards
        assert int(read) == int(put), shards

    lags = table_rows(md, "Put-to-get lag")
    assert [r[0] for r in lags] == ["GetRecords, 1 s polling", "GetRecords, 0 ms polling", "SubscribeToShard (push)"]
    for mode, sent, received, p50, p90, p99, worst in lags:
        assert int(sent) == 600 and int(received) == int(sent), mode
        assert float(p50) <= float(p90) <= float(p99) <= float(worst), mode
    p50 = {r[0]: float(r[3]) for r in lags}
    # A reader that pauses 1 s after an empty answer is hundreds of ms behind; push is not.
    assert p50["GetRecords, 1 s polling"] > 100
    assert p50["SubscribeToShard (push)"] < p50["GetRecords, 1 s polling"]

    for name in ("throughput.png", "lag.png"):
        assert png_info(str(out / name)) == (900, 500)
        assert f"]({name})" in md
    dat = (out / "throughput.dat").read_text()
    assert [line.split("\t")[0] for line in dat.splitlines()[1:]] == ["1", "2", "3"]
    assert all(re.fullmatch(r"[123](\t[0-9]+\.[0-9]){3}", line) for line in dat.splitlines()[1:]), dat
    assert "using 1:4" in (out / "plots.gp").read_text()
    assert os.path.getsize(out / "lag.dat") > 0
