import { appendFile, mkdir, readdir, readFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ShipperOptionsError, startShipper } from '../src/index.ts';
import { decodeBody, deliveredRecords, startCaptureServer, waitFor } from './support/capture-server.ts';
import type { CaptureServer } from './support/capture-server.ts';
import { accessLine, appendLines, range, recordingLogger, workspace } from '@logpulse/testkit/shipper-harness';

let server: CaptureServer;
let ws: Awaited<ReturnType<typeof workspace>>;

beforeEach(async () => {
  server = await startCaptureServer();
  ws = await workspace();
});

afterEach(async () => {
  await ws.cleanup();
  await server.close();
});

const seqs = () => deliveredRecords(server.requests).map((r) => r.seq);

describe('dev shipper: the wire format', () => {
  it('posts appended lines as gzip json_lines with the headers Fluent Bit sends', async () => {
    const fixture = gunzipSync(await readFile(join(import.meta.dirname, 'fixtures/fluentbit-json_lines.gz')));
    await writeFile(ws.file, fixture);
    ws.start({ url: `${server.url}?service=demo`, token: 'secret-token' });

    await waitFor('one request', () => server.requests.length >= 1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/log/ingest?service=demo');
    expect(request?.headers['content-type']).toBe('application/x-ndjson');
    expect(request?.headers['content-encoding']).toBe('gzip');
    expect(request?.headers['user-agent']).toBe('Fluent-Bit');
    expect(request?.headers.authorization).toBe('Bearer secret-token');
    expect(request?.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    // Records that carry their own timestamp go out exactly as Fluent Bit sent them.
    expect(gunzipSync(request?.body ?? Buffer.alloc(0)).equals(fixture)).toBe(true);
  });

  it('sends no Authorization header without a token', async () => {
    await appendLines(ws.file, [1]);
    ws.start({ url: server.url, token: '' });
    await waitFor('one request', () => server.requests.length >= 1);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('ships only complete lines: an unfinished last line waits for its newline', async () => {
    const second = accessLine(2);
    await writeFile(ws.file, `${accessLine(1)}\n${second.slice(0, 20)}`);
    ws.start({ url: server.url });
    await waitFor('the first line', () => seqs().length >= 1);
    expect(seqs()).toEqual([1]);

    await writeFile(ws.file, `${second.slice(20)}\n`, { flag: 'a' });
    await waitFor('the second line', () => seqs().length >= 2);
    expect(seqs()).toEqual([1, 2]);
    expect(JSON.parse(decodeBody(server.requests[1]!.body)[0]!)).toEqual(JSON.parse(second));
  });

  it('keeps every batch within the record and byte limits, in order', async () => {
    const lines = range(1, 400).map((seq) => accessLine(seq, { user_agent: 'x'.repeat(seq % 7 === 0 ? 900 : 10) }));
    await writeFile(ws.file, lines.map((l) => `${l}\n`).join(''));
    ws.start({ url: server.url, batchMaxRecords: 50, batchMaxBytes: 8192 });

    await waitFor('400 records', () => seqs().length >= 400);
    expect(seqs()).toEqual(range(1, 400));
    const batches = server.requests.map((r) => gunzipSync(r.body));
    expect(batches.length).toBeGreaterThan(8);
    for (const raw of batches) {
      expect(raw.length).toBeLessThanOrEqual(8192);
      expect(raw.toString().trimEnd().split('\n').length).toBeLessThanOrEqual(50);
    }
  });
});

describe('dev shipper: delivery like Fluent Bit', () => {
  it('retries 503, resets, 429 and 408 with byte-identical bodies, drops other 4xx, never reorders', async () => {
    const { logger, messages } = recordingLogger();
    server.script(503, 'reset', 429, 408, 200, 400);
    await appendLines(ws.file, range(1, 9));
    const shipper = ws.start({ url: server.url, batchMaxRecords: 3, logger });

    await waitFor('three batches settled', () => shipper.stats().batchesSent + shipper.stats().batchesDropped >= 3);
    const bodies = server.requests.map((r) => r.body);
    expect(server.requests.map((r) => r.answer)).toEqual([503, 'reset', 429, 408, 200, 400, 200]);
    for (const body of bodies.slice(1, 5)) expect(body.equals(bodies[0]!)).toBe(true);
    expect(seqs()).toEqual([1, 2, 3, 7, 8, 9]);
    expect(JSON.parse(decodeBody(bodies[5]!)[0]!).seq).toBe(4);
    expect(shipper.stats()).toMatchObject({ batchesSent: 2, recordsSent: 6, batchesDropped: 1, recordsDropped: 3, retries: 4, inflight: false });
    expect(messages.some((m) => m.level === 'error' && m.message.includes('400') && m.message.includes('DROPPED'))).toBe(true);
  });

  it('says in its logs that it is the dev stand-in and never logs the token', async () => {
    const { logger, messages } = recordingLogger();
    server.script(503);
    await appendLines(ws.file, [1]);
    ws.start({ url: server.url, token: 'very-secret', logger });
    await waitFor('the retry to succeed', () => seqs().length === 1);
    expect(messages[0]?.message).toContain('dev stand-in for Fluent Bit');
    expect(messages.some((m) => m.message.includes('very-secret'))).toBe(false);
  });
});

describe('dev shipper: following the file', () => {
  it('finishes a rotated file, including late writes, before the new one; nothing lost or repeated', async () => {
    const { logger, said } = recordingLogger();
    await appendLines(ws.file, range(1, 3));
    ws.start({ url: server.url, logger, rotateWaitMs: 2000 });
    await waitFor('lines 1-3', () => seqs().length >= 3);

    await appendLines(ws.file, [4, 5]);
    await rename(ws.file, `${ws.file}.1`);
    await appendLines(ws.file, range(8, 10));
    await waitFor('the rotation to be noticed', () => said('was rotated'));
    // A writer that has not reopened yet still appends to the renamed file.
    await appendFile(`${ws.file}.1`, `${accessLine(6)}\n${accessLine(7)}\n`);
    await waitFor('lines 1-10', () => seqs().length >= 10);
    expect(seqs()).toEqual(range(1, 10));
  });

  it('starts over when the file is truncated', async () => {
    const { logger, said } = recordingLogger();
    await appendLines(ws.file, range(1, 3));
    ws.start({ url: server.url, logger });
    await waitFor('lines 1-3', () => seqs().length >= 3);

    await truncate(ws.file, 0);
    await waitFor('the truncation to be noticed', () => said('truncated'));
    await appendLines(ws.file, [4, 5]);
    await waitFor('lines 4-5', () => seqs().length >= 5);
    expect(seqs()).toEqual(range(1, 5));
  });

  it('waits for a file that does not exist yet', async () => {
    const { logger, said } = recordingLogger();
    ws.start({ url: server.url, logger });
    await waitFor('the waiting message', () => said('waiting for'));
    await appendLines(ws.file, [1, 2]);
    await waitFor('lines 1-2', () => seqs().length >= 2);
    expect(seqs()).toEqual([1, 2]);
  });

  it('sleeps until the file changes: an idle shipper is woken by a write, a rotation and a truncation', async () => {
    const { logger, said } = recordingLogger();
    await appendLines(ws.file, [1]);
    // The safety poll is far beyond waitFor's limit, so only a change notification can deliver in time.
    ws.start({ url: server.url, logger, idlePollMs: 3_600_000 });
    await waitFor('line 1', () => seqs().length >= 1);
    await sleep(300); // idle well past the flush interval: the shipper is asleep, not polling

    await appendLines(ws.file, [2]);
    await waitFor('line 2 after an idle period', () => seqs().length >= 2);
    await sleep(300);
    await rename(ws.file, `${ws.file}.1`);
    await appendLines(ws.file, [3]);
    await waitFor('line 3 from the file that replaced the rotated one', () => seqs().length >= 3);
    await sleep(300);
    await truncate(ws.file, 0);
    await waitFor('the truncation to be noticed', () => said('truncated'));
    await appendLines(ws.file, [4]);
    await waitFor('line 4', () => seqs().length >= 4);
    expect(seqs()).toEqual([1, 2, 3, 4]);
    expect(said('polling it instead')).toBe(false);
  });

  it('polls while its directory does not exist, then follows the file that appears there', async () => {
    const { logger, said } = recordingLogger();
    const file = join(ws.dir, 'later', 'access.log');
    ws.start({ url: server.url, logger, file, idlePollMs: 3_600_000 });
    await waitFor('the fallback message', () => said('polling it instead'));
    await mkdir(join(ws.dir, 'later'));
    await appendLines(file, [1, 2]);
    await waitFor('lines 1-2', () => seqs().length >= 2);
    await appendLines(file, [3]);
    await waitFor('line 3', () => seqs().length >= 3);
    expect(seqs()).toEqual([1, 2, 3]);
  });

  it('skips a line longer than the batch limit and goes on', async () => {
    const { logger, said } = recordingLogger();
    await writeFile(ws.file, `${accessLine(1)}\n${'y'.repeat(5000)}\n${accessLine(2)}\n`);
    ws.start({ url: server.url, batchMaxBytes: 1024, logger });
    await waitFor('lines 1-2', () => seqs().length >= 2);
    expect(seqs()).toEqual([1, 2]);
    expect(said('skipping a line longer than 1024 bytes')).toBe(true);
  });
});

describe('dev shipper: restarts', () => {
  it('remembers its position: a restart ships only new lines', async () => {
    await appendLines(ws.file, range(1, 3));
    const first = ws.start({ url: server.url });
    await waitFor('lines 1-3', () => seqs().length >= 3);
    await first.stop();
    const before = server.requests.length;

    await appendLines(ws.file, [4, 5]);
    ws.start({ url: server.url });
    await waitFor('lines 4-5', () => seqs().length >= 5);
    const after = deliveredRecords(server.requests.slice(before)).map((r) => r.seq);
    expect(after).toEqual([4, 5]);
  });

  it('resends the unacknowledged batch byte for byte after a restart, then goes on', async () => {
    server.answerAlways(503);
    // Lines without a timestamp get the read time: a rebuilt batch would differ, the spooled one cannot.
    await writeFile(ws.file, `${JSON.stringify({ path: '/a', seq: 1 })}\n${JSON.stringify({ path: '/b', seq: 2 })}\n`);
    const first = ws.start({ url: server.url });
    await waitFor('two attempts', () => server.requests.length >= 2);
    expect(first.stats().inflight).toBe(true);
    await first.stop();
    const sentBefore = server.requests[0]!.body;
    const attemptsBefore = server.requests.length;

    await appendLines(ws.file, [3, 4]);
    server.answerAlways(200);
    ws.start({ url: server.url });
    await waitFor('four records', () => seqs().length >= 4);
    expect(server.requests[attemptsBefore]!.body.equals(sentBefore)).toBe(true);
    expect(seqs()).toEqual([1, 2, 3, 4]);
  });

  it('finds its file after a rotation that happened while it was stopped', async () => {
    await appendLines(ws.file, range(1, 3));
    const first = ws.start({ url: server.url });
    await waitFor('lines 1-3', () => seqs().length >= 3);
    await first.stop();

    await appendLines(ws.file, [4, 5]);
    await rename(ws.file, `${ws.file}.1`);
    await appendLines(ws.file, [6, 7]);
    ws.start({ url: server.url });
    await waitFor('lines 1-7', () => seqs().length >= 7);
    expect(seqs()).toEqual(range(1, 7));
  });

  it('sets an unreadable state file aside and starts from the beginning', async () => {
    const { logger, said } = recordingLogger();
    await appendLines(ws.file, [1]);
    const first = ws.start({ url: server.url });
    await waitFor('line 1', () => seqs().length >= 1);
    await first.stop();
    const stateFile = (await readdir(ws.stateDir)).find((f) => f.endsWith('.json'))!;
    await writeFile(join(ws.stateDir, stateFile), '{not json');

    ws.start({ url: server.url, logger });
    await waitFor('line 1 again', () => server.requests.length >= 2);
    expect(said('unreadable')).toBe(true);
    expect((await readdir(ws.stateDir)).some((f) => f.includes('.corrupt-'))).toBe(true);
  });
});

describe('dev shipper: options', () => {
  it('rejects bad options with a clear error', () => {
    const base = { file: 'a.log', url: 'http://127.0.0.1:1/log/ingest', stateDir: '/tmp/x' };
    expect(() => startShipper({ ...base, url: 'not a url' })).toThrow(ShipperOptionsError);
    expect(() => startShipper({ ...base, url: 'ftp://host/x' })).toThrow(/only http and https/);
    expect(() => startShipper({ ...base, batchMaxRecords: 0 })).toThrow(/batchMaxRecords: expected a positive integer/);
    expect(() => startShipper({ ...base, file: '' })).toThrow(/file/);
    expect(() => startShipper({ ...base, retryBaseMs: 500, retryCapMs: 100 })).toThrow(/retryCapMs/);
  });
});
