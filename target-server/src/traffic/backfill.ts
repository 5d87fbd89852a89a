import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatAccessLine } from '../accessLog/record.ts';
import { DEFAULT_ACCESS_LOG } from '../config.ts';
import { toMilliseconds } from '../workload/duration.ts';
import { DEFAULT_SHAPE } from '../workload/shape.ts';
import { iterateRecords, toEpochMs, type GenerateRecordsOptions, type TimeInput } from '../workload/records.ts';

export interface BackfillOptions extends Omit<GenerateRecordsOptions, 'from' | 'to'> {
  /** File to append to; default $ACCESS_LOG or target-server/logs/access.log. */
  file?: string;
  /** How far back from `to` to start ("7d", "24h" or ms). Default 24h. Ignored when `from` is given. */
  window?: number | string;
  from?: TimeInput;
  /** End of the window; default now. */
  to?: TimeInput;
}

export interface BackfillResult {
  file: string;
  records: number;
  bytes: number;
  from: string;
  to: string;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Appends historical access-log lines for [from, to) in timestamp order, in the server's exact
 * line format, without rotating. Run it before the server starts writing the same file, and
 * before a shipper that reads from the head is started, so the history is shipped whole.
 */
export async function writeBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const file = options.file ?? (process.env.ACCESS_LOG || DEFAULT_ACCESS_LOG);
  const toMs = options.to === undefined ? Date.now() : toEpochMs(options.to, 'to');
  const fromMs = options.from !== undefined ? toEpochMs(options.from, 'from') : toMs - toMilliseconds(options.window ?? '24h', 'window');
  // History follows the local day ($TZ), like live traffic.
  const records = iterateRecords({ ...options, shape: { timeZone: DEFAULT_SHAPE.timeZone, ...options.shape }, from: fromMs, to: toMs });
  let count = 0;
  let bytes = 0;
  function* chunks(): Generator<string> {
    let chunk = '';
    for (const record of records) {
      chunk += formatAccessLine(record);
      count += 1;
      if (chunk.length >= CHUNK_BYTES) {
        bytes += Buffer.byteLength(chunk);
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) {
      bytes += Buffer.byteLength(chunk);
      yield chunk;
    }
  }
  mkdirSync(dirname(file), { recursive: true });
  await pipeline(Readable.from(chunks()), createWriteStream(file, { flags: 'a' }));
  return { file, records: count, bytes, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
}
