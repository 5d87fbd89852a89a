import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deliveredRecords, startCaptureServer, waitFor } from './support/capture-server.ts';
import type { CaptureServer } from './support/capture-server.ts';
import { appendLines, range, workspace } from '@logpulse/testkit/shipper-harness';

const cli = join(import.meta.dirname, '../src/cli.ts');
const repoRoot = join(import.meta.dirname, '../..');
// One process (node with tsx's loader), not the tsx binary, which runs the script in a child
// that a SIGKILL of the parent would leave running.
const node = (args: string[]) => [process.execPath, ['--import', 'tsx', ...args]] as const;

let server: CaptureServer;
let ws: Awaited<ReturnType<typeof workspace>>;
const children: ChildProcess[] = [];

beforeEach(async () => {
  server = await startCaptureServer();
  ws = await workspace();
});

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  await ws.cleanup();
  await server.close();
});

function runCli() {
  const child = spawn(...node([cli]), {
    cwd: repoRoot,
    env: { ...process.env, SHIPPER_FILE: ws.file, INGEST_URL: `${server.url}?service=cli`, INGEST_TOKEN: 'cli-token', DATA_DIR: ws.dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

const seqs = () => deliveredRecords(server.requests).map((r) => r.seq);

it('survives kill -9 with a batch in flight: the same bytes are resent, nothing lost', async () => {
  server.answerAlways(503);
  await appendLines(ws.file, range(1, 5));
  const first = runCli();
  await waitFor('the first attempt', () => server.requests.length >= 1, 30_000);
  first.child.kill('SIGKILL');
  // 'close', not 'exit': only then has all of its output arrived.
  await new Promise((resolve) => first.child.once('close', resolve));
  expect(first.output()).toContain('[dev-shipper] dev stand-in for Fluent Bit');
  expect(first.output()).not.toContain('cli-token');
  const attempts = server.requests.length;

  server.answerAlways(200);
  await appendLines(ws.file, range(6, 8));
  runCli();
  await waitFor('eight records', () => seqs().length >= 8, 30_000);
  expect(server.requests[attempts]!.body.equals(server.requests[0]!.body)).toBe(true);
  expect(server.requests[attempts]!.url).toBe('/log/ingest?service=cli');
  expect(server.requests[attempts]!.headers.authorization).toBe('Bearer cli-token');
  expect(seqs()).toEqual(range(1, 8));
});

it('refuses a bad INGEST_URL with a clear message and exit code 2', async () => {
  const child = spawn(...node([cli]), { cwd: repoRoot, env: { ...process.env, INGEST_URL: 'nonsense', DATA_DIR: ws.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(code).toBe(2);
  expect(stderr).toContain('url: "nonsense" is not a URL');
});
