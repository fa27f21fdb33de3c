// Spawns the server binary (or uses SLUICE_E2E_ENDPOINT) for the JavaScript end-to-end tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';

export const REFERENCE = process.env.SLUICE_E2E_REFERENCE || '';
const ENDPOINT = (process.env.SLUICE_E2E_ENDPOINT || '').replace(/\/$/, '');

function healthStatus(endpoint) {
  return new Promise((resolve) => {
    const req = http.get(`${endpoint}/health`, { timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

export async function waitUntil(predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    try {
      const v = await predicate();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await delay(20);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${lastErr}` : ''}`);
}

/** Starts a server on an ephemeral port with a fresh data dir, with `extraArgs` appended to its
 * flags. Returns {endpoint, stop, log}. */
export async function startServer(extraArgs = []) {
  if (ENDPOINT) return { endpoint: ENDPOINT, stop: async () => {}, log: () => '' };
  const bin = process.env.SLUICE_BIN;
  if (!bin) throw new Error('SLUICE_BIN is not set');
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-js-'));
  const child = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir,
    '--create-stream-ms', '0', '--delete-stream-ms', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let port = 0;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const onData = (chunk) => {
    log += chunk.toString();
    const m = !port && /listening on [0-9.]+:(\d+)/.exec(log);
    if (m) port = Number(m[1]);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let alive = true;
  exited.then(() => { alive = false; });
  try {
    await waitUntil(() => {
      if (!alive) throw new Error(`server exited early; log:\n${log}`);
      return port;
    }, 30000, 'the listening line');
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntil(async () => (await healthStatus(endpoint)) === 200, 30000, 'GET /health');
    return {
      endpoint,
      log: () => log,
      async stop() {
        if (alive) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
        const { code, signal } = await exited;
        clearTimeout(timer);
        rmSync(dataDir, { recursive: true, force: true });
        if (code !== 0) throw new Error(`server exited with ${code ?? signal} after SIGTERM; log:\n${log}`);
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

export function uniqueName(prefix) {
  return `${prefix}-${Math.random().toString(16).slice(2, 14)}`;
}

// A Kinesis client with test credentials and retries off (every error is seen);
// `requestHandler` undefined keeps the SDK's default (HTTP/2).
export function kinesisClient(endpoint, requestHandler) {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    ...(requestHandler ? { requestHandler } : {}),
  });
}

// Creates a stream and polls (with a deadline) until it is ACTIVE; returns its summary.
export async function createActiveStream(client, name, shards) {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  return waitUntil(async () => {
    const s = (await client.send(new DescribeStreamSummaryCommand({ StreamName: name })))
      .StreamDescriptionSummary;
    return s.StreamStatus === 'ACTIVE' ? s : null;
  }, 30000, `stream ${name} ACTIVE`);
}
