// The web console in a real browser (Debian's chromium driven by playwright-core): the root sent
// to the console, the streams list, live rates and charts while a producer runs, the record
// browser choosing a stream from a list, a resharded stream's lineage tree and merged shard, an
// enhanced fan-out consumer's lag per shard, and a stream of 1,000 shards shown a page at a time. A screenshot of each page goes to
// tests/e2e/artifacts/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  SplitShardCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { chromium } from 'playwright-core';

import {
  REFERENCE, createActiveStream, kinesisClient, startServer, uniqueName, waitUntil,
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
    // A browser opening the server's root lands on the console, with its icon.
    await page.goto(`${server.endpoint}/`);
    assert.equal(new URL(page.url()).pathname, '/console/');
    assert.equal(await page.locator('link[rel="icon"]').getAttribute('href'), '/console/favicon.svg');
    const icon = await page.request.get(`${server.endpoint}/console/favicon.svg`);
    assert.equal(icon.status(), 200);
    assert.equal(icon.headers()['content-type'], 'image/svg+xml');
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
      // Both charts have an axis in their unit, round ticks, seconds ago, and a legend of both lines.
      for (const [id, unit] of [['#records-chart', 'rec/s'], ['#bytes-chart', 'bytes/s']]) {
        assert.equal(await page.locator(`${id} text.unit`).textContent(), unit);
        const ticks = await page.locator(`${id} text.tick`).allTextContents();
        assert.equal(ticks[0], '0');
        assert.ok(ticks.includes('−60 s') && ticks.includes('now'), ticks.join(','));
        assert.equal(await page.locator(`${id} .legend-value`).count(), 2);
        assert.equal(await page.locator(`${id} path.out`).count(), 1);
      }
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

    // The record browser: the stream chosen from a list, then the shard, shows a record put now to
    // the second shard (the highest hash key).
    const probe = `{"probe":"${uniqueName('p')}"}`;
    await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'probe',
      ExplicitHashKey: (2n ** 128n - 1n).toString(), Data: Buffer.from(probe) }));
    await page.locator('#nav-records').click();
    const streamChoice = page.locator('#rec-stream');
    await streamChoice.locator(`option:has-text("${name}")`).waitFor({ state: 'attached' });
    await streamChoice.selectOption({ label: name });
    await page.locator('#rec-shard option[value="shardId-000000000001"]').waitFor({ state: 'attached' });
    await page.locator('#rec-shard').selectOption('shardId-000000000001');
    await page.waitForURL(`**/console/#/records/000000000000/us-east-1/${name}/shardId-000000000001`);
    const data = page.locator('#records td.data', { hasText: JSON.parse(probe).probe });
    await data.first().waitFor();
    await page.selectOption('#rec-format', 'json');
    await page.locator('#records td.data', { hasText: '"probe": ' }).first().waitFor();
    await page.selectOption('#rec-format', 'hex');
    const hex = Array.from(Buffer.from(probe.slice(0, 8)), (b) => b.toString(16).padStart(2, '0')).join(' ');
    await page.locator('#records td.data', { hasText: hex }).first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}console-records.png`, fullPage: true });
  });

  test('a resharded stream: the lineage drawn as a tree, a merged shard\'s two parents, status cleared', async () => {
    const name = uniqueName('lineage');
    await createActiveStream(client, name, 2);
    const active = () => waitUntil(async () => (await client.send(new DescribeStreamSummaryCommand({ StreamName: name })))
      .StreamDescriptionSummary.StreamStatus === 'ACTIVE', 30000, `${name} ACTIVE`);
    // Split shard 0 at the quarter point (shards 2 and 3), then merge 3 with its neighbour 1 (shard 4).
    await client.send(new SplitShardCommand({ StreamName: name, ShardToSplit: 'shardId-000000000000',
      NewStartingHashKey: (2n ** 126n).toString() }));
    await active();
    await client.send(new MergeShardsCommand({ StreamName: name, ShardToMerge: 'shardId-000000000003',
      AdjacentShardToMerge: 'shardId-000000000001' }));
    await active();
    await client.send(new PutRecordsCommand({ StreamName: name, Records: Array.from({ length: 40 },
      (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`lineage-${i}`) })) }));

    await page.goto(`${server.endpoint}/console/#/stream/000000000000/us-east-1/${name}`);
    // The tree: five boxes, two generations after the first, a curve per parent (2 + 2 + 0 = 4 from
    // the split and the merge), open shards apart from closed ones.
    await page.locator('#lineage g.node[data-shard="shardId-000000000004"]').waitFor();
    assert.equal(await page.locator('#lineage g.node').count(), 5);
    assert.equal(await page.locator('#lineage path.edge').count(), 4);
    assert.deepEqual((await page.locator('#lineage g.node.open').evaluateAll((gs) => gs.map((g) => g.dataset.shard))).sort(),
      ['shardId-000000000002', 'shardId-000000000004']);
    assert.deepEqual(await page.locator('#lineage text.generation').allTextContents(), ['first shards', 'generation 1', 'generation 2']);
    // The merged shard's row names both parents, and the table fits the page.
    assert.equal((await page.locator('#shards tr[data-shard="shardId-000000000004"] td.parents').textContent()).trim(), 'shards 3 + 1');
    const [tableWidth, viewWidth] = await page.evaluate(() => [document.getElementById('shards').scrollWidth, document.documentElement.clientWidth]);
    assert.ok(tableWidth <= viewWidth, `shard table ${tableWidth}px wide in a ${viewWidth}px page`);
    await page.locator('#consumers').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}console-lineage.png`, fullPage: true });

    // A failed action's message is shown, and gone on the next page.
    await page.fill('#split-shard', 'shardId-000000000099');
    await page.click('#split');
    await page.locator('#status.error', { hasText: 'no shard shardId-000000000099' }).waitFor();
    await page.locator('#nav-streams').click();
    await page.locator(`tr[data-stream="${name}"]`).waitFor();
    assert.equal(await page.locator('#status').textContent(), '');
  });

  test('an enhanced fan-out consumer reading now: its lag and records pushed per shard', async () => {
    const name = uniqueName('fanout');
    const summary = await createActiveStream(client, name, 1);
    const arn = summary.StreamARN;
    const consumer = (await client.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'dashboard' })))
      .Consumer;
    await waitUntil(async () => (await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN })))
      .ConsumerDescription.ConsumerStatus === 'ACTIVE', 30000, 'the consumer ACTIVE');
    await client.send(new PutRecordsCommand({ StreamName: name, Records: Array.from({ length: 25 },
      (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`fan-${i}`) })) }));
    // The default (HTTP/2) client, as applications use; the subscription ends with the abort.
    const subscriber = kinesisClient(server.endpoint);
    const ac = new AbortController();
    const watchdog = setTimeout(() => ac.abort(), 60000);
    try {
      const response = await subscriber.send(new SubscribeToShardCommand({ ConsumerARN: consumer.ConsumerARN,
        ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }), { abortSignal: ac.signal });
      let got = 0;
      for await (const event of response.EventStream) {
        got += event.SubscribeToShardEvent.Records.length;
        if (got >= 25) break;
      }
      await page.goto(`${server.endpoint}/console/#/stream/000000000000/us-east-1/${name}`);
      const row = page.locator('#subscription-lag tr[data-consumer="dashboard"][data-shard="shardId-000000000000"]');
      await row.waitFor();
      assert.equal((await row.locator('td').nth(3).textContent()).trim(), '25');
      await page.screenshot({ path: `${ARTIFACTS}console-fanout-lag.png`, fullPage: true });
    } finally {
      clearTimeout(watchdog);
      ac.abort();
      subscriber.destroy();
    }
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
    await page.locator('#lineage g.node[data-shard="shardId-000000000999"]').waitFor({ state: 'attached' });
    assert.equal(await page.locator('#lineage g.node').count(), 1000);
    await page.screenshot({ path: `${ARTIFACTS}console-1000-shards.png` });
  });
});
