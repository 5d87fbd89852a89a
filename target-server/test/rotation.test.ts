import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RotatingFile, startTargetServer } from '../src/index.ts';
import { tempDir, waitFor } from './support.ts';

/** Every file of a rotated log, oldest first (access.log.N … access.log.1, access.log). */
function rotatedFiles(dir: string): string[] {
  const numbered = readdirSync(dir)
    .map((name) => /^access\.log\.(\d+)$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .map((match) => join(dir, match[0]));
  return [...numbered, join(dir, 'access.log')];
}

function linesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  // A split line would leave a file that does not end in a newline.
  if (text.length > 0) expect(text.endsWith('\n'), `${file} ends with a newline`).toBe(true);
  return text.split('\n').filter(Boolean);
}

describe('size rotation', () => {
  it('renames access.log to access.log.1 and shifts older files, keeping only `keep` of them', () => {
    const dir = tempDir();
    const file = join(dir, 'access.log');
    const log = new RotatingFile({ file, maxBytes: 1024, keep: 3 });
    for (let i = 0; i < 200; i += 1) log.write(`${JSON.stringify({ n: i, pad: 'x'.repeat(40) })}\n`);
    log.close();

    const files = rotatedFiles(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['access.log.3', 'access.log.2', 'access.log.1', 'access.log']);
    for (const f of files) expect(statSync(f).size).toBeLessThanOrEqual(1024);
    // Concatenated oldest → newest, the kept lines are the newest ones, in order, none split.
    const numbers = files.flatMap(linesOf).map((line) => (JSON.parse(line) as { n: number }).n);
    expect(numbers.at(-1)).toBe(199);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
  });

  it('counts an existing file towards the limit after a restart', () => {
    const dir = tempDir();
    const file = join(dir, 'access.log');
    const first = new RotatingFile({ file, maxBytes: 2048, keep: 2 });
    first.write(`${'a'.repeat(1500)}\n`);
    first.close();
    const second = new RotatingFile({ file, maxBytes: 2048, keep: 2 });
    second.write(`${'b'.repeat(1000)}\n`);
    second.close();
    expect(readFileSync(`${file}.1`, 'utf8')).toBe(`${'a'.repeat(1500)}\n`);
    expect(readFileSync(file, 'utf8')).toBe(`${'b'.repeat(1000)}\n`);
  });

  it('loses and splits no line while the server rotates under concurrent requests', async () => {
    const dir = tempDir();
    const server = await startTargetServer({
      port: 0,
      host: '127.0.0.1',
      accessLog: join(dir, 'access.log'),
      logMaxBytes: 4096,
      logFiles: 1000,
      simulateWork: false,
    });
    const total = 600;
    const ids = Array.from({ length: total }, (_, i) => `req-${i}`);
    try {
      for (let batch = 0; batch < total; batch += 100) {
        await Promise.all(
          ids.slice(batch, batch + 100).map((id, i) =>
            fetch(`${server.url}/api/${i % 2 ? 'users' : 'products'}/${(i % 20) + 1}?pad=${'p'.repeat(i % 50)}`, { headers: { 'x-request-id': id } }).then((r) => r.text()),
          ),
        );
      }
      const lines = await waitFor(() => {
        const all = rotatedFiles(dir).filter(existsSync).flatMap(linesOf);
        return all.length >= total ? all : undefined;
      }, `${total} lines across rotated files`);
      expect(rotatedFiles(dir).length).toBeGreaterThan(20);
      const logged = lines.map((line) => (JSON.parse(line) as { request_id: string }).request_id);
      expect(logged).toHaveLength(total);
      expect(new Set(logged)).toEqual(new Set(ids));
      for (const f of rotatedFiles(dir)) expect(statSync(f).size).toBeLessThanOrEqual(4096);
    } finally {
      await server.stop();
    }
  });
});
