import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { FileIdentity, FilePosition } from './file-identity.ts';
import type { ShipperLogger } from './logger.ts';

/** A batch that was (or was about to be) sent and not yet acknowledged. */
export interface InflightBatch extends FileIdentity {
  start: number;
  end: number;
  records: number;
  /** sha256 of the spooled body, so a damaged spool file is never sent. */
  sha256: string;
}

export interface SavedState {
  /** Everything before this point has been acknowledged (or deliberately dropped). */
  position?: FilePosition;
  inflight?: InflightBatch;
}

interface StateFile extends SavedState {
  version: 1;
  file: string;
}

export function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * The shipper's memory across restarts: the delivered position and the in-flight batch, plus the
 * exact bytes of that batch (the spool). The spool is written before the batch is sent, so after
 * a crash the very same bytes go out again and the gateway recognises them as a retry.
 * Every write is tmp + fsync + rename: a crash leaves the old file or the new one, never half.
 */
export class ShipperState {
  readonly stateFile: string;
  readonly spoolFile: string;
  private readonly file: string;

  constructor(
    stateDir: string,
    file: string,
    private readonly logger: ShipperLogger,
  ) {
    this.file = resolve(file);
    // One state per followed file, so several shippers can share a directory.
    const key = `${basename(this.file)}-${createHash('sha256').update(this.file).digest('hex').slice(0, 12)}`;
    this.stateFile = join(stateDir, `${key}.json`);
    this.spoolFile = join(stateDir, `${key}.inflight.gz`);
  }

  async load(): Promise<SavedState> {
    let text: string;
    try {
      text = await readFile(this.stateFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const parsed = parseStateFile(text);
    if (parsed) return { position: parsed.position, inflight: parsed.inflight };
    const aside = `${this.stateFile}.corrupt-${Date.now()}`;
    await rename(this.stateFile, aside);
    this.logger.error(`state file ${this.stateFile} is unreadable; moved to ${aside} and starting from the beginning of the log`);
    return {};
  }

  /** Spools the body, then records it as in flight. Call before the first send attempt. */
  async beginBatch(body: Buffer, inflight: InflightBatch, position: FilePosition | undefined): Promise<void> {
    await writeAtomically(this.spoolFile, body);
    await this.write({ position, inflight });
  }

  /** Records a new delivered position and clears the in-flight batch. */
  async commit(position: FilePosition): Promise<void> {
    await this.write({ position });
  }

  /** The spooled body of `inflight`, or undefined when it is missing or does not match. */
  async readSpool(inflight: InflightBatch): Promise<Buffer | undefined> {
    try {
      const body = await readFile(this.spoolFile);
      return sha256(body) === inflight.sha256 ? body : undefined;
    } catch {
      return undefined;
    }
  }

  private async write(state: SavedState): Promise<void> {
    const content: StateFile = { version: 1, file: this.file, ...state };
    await writeAtomically(this.stateFile, Buffer.from(`${JSON.stringify(content, null, 2)}\n`));
  }
}

async function writeAtomically(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

function parseStateFile(text: string): StateFile | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.version !== 1) return undefined;
  const { position, inflight } = value;
  if (position !== undefined && !isPosition(position)) return undefined;
  if (inflight !== undefined && !isInflight(inflight)) return undefined;
  return value as unknown as StateFile;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOffset(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isPosition(value: unknown): value is FilePosition {
  return isRecord(value) && typeof value.dev === 'string' && typeof value.ino === 'string' && isOffset(value.offset);
}

function isInflight(value: unknown): value is InflightBatch {
  return (
    isRecord(value) &&
    typeof value.dev === 'string' &&
    typeof value.ino === 'string' &&
    isOffset(value.start) &&
    isOffset(value.end) &&
    isOffset(value.records) &&
    typeof value.sha256 === 'string'
  );
}
