// The web console in a real browser (Debian's chromium driven by playwright-core): the streams
// list, live rates while a producer runs, the record browser showing a record this test put, and
// a stream of 1,000 shards shown a page at a time. Screenshots go to tests/e2e/artifacts/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { chromium } from 'playwright-core';

import {
  REFERENCE, createActiveStream, kinesisClient, startServer, uniqueName,
} from './helpers.mjs';

const SKIP = REFERENCE ? `not run against ${REFERENCE}: the console is Sluice's own` : false;
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

describe('web console', { skip: SKIP }, () => {
  let server;
  let client;
  let browser;
  let page;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer(['--durability', 'memory']);
    client = kinesisClient(server.endpoint, new NodeHttpHandler({ requestTimeout: 20000 }));
    // Chromium refuses to run as root with its sandbox on.
    const args = process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [];
    browser = await chromium.launch({ executablePath: CHROMIUM, args });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(20000);
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('lists a stream, shows live rates while a producer runs, and browses its records', async () => {
    const name = uniqueName('console');
    await createActiveStream(client, name, 2);
    await page.goto(`${server.endpoint}/console/`);
    const row = page.locator(`tr[data-stream="${name}"]`);
    await row.waitFor();
    assert.equal((await row.locator('td.status').textContent()).trim(), 'ACTIVE');

    // A producer runs until the stream page shows a non-zero incoming rate.
    let producing = true;
    let sent = 0;
    const producer = (async () => {
      while (producing) {
        const records = Array.from({ length: 20 }, (_, i) => ({ PartitionKey: `k${sent + i}`, Data: Buffer.from(`rec-${sent + i}`) }));
        await client.send(new PutRecordsCommand({ StreamName: name, Records: records }));
        sent += records.length;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      await page.locator(`tr[data-stream="${name}"] a`).click();
      await page.locator('#stream-name').waitFor();
      await page.waitForFunction(() => parseFloat(document.getElementById('stream-rate-in')?.textContent || '0') > 0,
        null, { timeout: 20000 });
      // The chart's incoming line has points, and some shard's row shows a rate too.
      const d = await page.locator('#stream-chart path.in').getAttribute('d');
      assert.match(d, /^M[\d.]+,[\d.]+L/);
      await page.waitForFunction(() => [...document.querySelectorAll('#shards td.rate-in')]
        .some((td) => parseFloat(td.textContent) > 0), null, { timeout: 20000 });
      await page.screenshot({ path: `${ARTIFACTS}console-stream.png`, fullPage: true });
    } finally {
      producing = false;
      await producer;
    }
    assert.ok(sent > 0);

    // Back on the list: the stream with its two open shards and the bytes it now holds.
    await page.goto(`${server.endpoint}/console/#/`);
    const listed = page.locator(`tr[data-stream="${name}"]`);
    await listed.waitFor();
    assert.equal((await listed.locator('td.num').first().textContent()).trim(), '2');
    assert.notEqual((await listed.locator('td.num').nth(2).textContent()).trim(), '0 B');
    await page.screenshot({ path: `${ARTIFACTS}console-streams.png`, fullPage: true });

    // The record browser shows a record put now, to the first shard (hash key 0).
    const probe = `{"probe":"${uniqueName('p')}"}`;
    await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'probe', ExplicitHashKey: '0',
      Data: Buffer.from(probe) }));
    await page.goto(`${server.endpoint}/console/#/records/000000000000/us-east-1/${name}/shardId-000000000000`);
    const data = page.locator('#records td.data', { hasText: JSON.parse(probe).probe });
    await data.first().waitFor();
    await page.selectOption('#rec-format', 'json');
    await page.locator('#records td.data', { hasText: '"probe": ' }).first().waitFor();
    await page.selectOption('#rec-format', 'hex');
    const hex = Array.from(Buffer.from(probe.slice(0, 8)), (b) => b.toString(16).padStart(2, '0')).join(' ');
    await page.locator('#records td.data', { hasText: hex }).first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}console-records.png`, fullPage: true });
  });

  test('a stream of 1,000 shards is shown 50 shards at a time', async () => {
    const name = uniqueName('wide');
    await createActiveStream(client, name, 1000);
    await page.goto(`${server.endpoint}/console/#/stream/000000000000/us-east-1/${name}`);
    await page.locator('#pager', { hasText: '1000 shards, page 1 of 20' }).waitFor();
    assert.equal(await page.locator('#shards tbody tr').count(), 50);
    await page.locator('#pager button[data-page="19"]').click();
    await page.locator('#shards tr[data-shard="shardId-000000000999"]').waitFor();
    assert.equal(await page.locator('#shards tbody tr').count(), 50);
    // Every shard is in the lineage, which the page read through ListShards.
    await page.locator('#lineage', { hasText: 'shardId-000000000999' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}console-1000-shards.png` });
  });
});
