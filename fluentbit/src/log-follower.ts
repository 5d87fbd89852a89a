import { open, readdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeFile, identityOfHandle, identityOfPath, sameFile } from './file-identity.ts';
import type { FileIdentity, FilePosition } from './file-identity.ts';
import type { ShipperLogger } from './logger.ts';

/** Complete lines read from one file, with the byte range they came from. */
export interface LineChunk {
  identity: FileIdentity;
  start: number;
  end: number;
  lines: string[];
}

export type ReadResult =
  | { kind: 'lines'; chunk: LineChunk }
  /** Nothing new yet (or only an unfinished last line). */
  | { kind: 'idle' }
  /** The next line does not fit in the room the caller gave: send what you have first. */
  | { kind: 'full' }
  /** The stream jumped (rotation or truncation): lines before and after must not share a batch. */
  | { kind: 'break' };

export interface FollowerOptions {
  /** How long a rotated file is still drained after a new file appears at the path. */
  rotateWaitMs: number;
  /** Longer lines are skipped (logged), as Fluent Bit's `skip_long_lines` does. */
  maxLineBytes: number;
  logger: ShipperLogger;
}

const NEWLINE = 0x0a;

/**
 * Follows one log file like Fluent Bit's tail input: reads complete lines only, finishes a
 * renamed (rotated) file before switching to the new one at the same path, starts over when the
 * file shrinks (truncation), and can resume from a saved position even if the file has been
 * rotated since (it looks for the same inode among `<name>*` siblings).
 */
export class LogFollower {
  private handle: FileHandle | undefined;
  private identity: FileIdentity | undefined;
  private offset = 0;
  private rotationSeenAt: number | undefined;
  private skippingLongLine = false;
  private missingLogged = false;

  constructor(
    private readonly path: string,
    private readonly options: FollowerOptions,
  ) {}

  /** Resumes at a saved position, or (without one) reads the file at `path` from the start. */
  async open(from?: FilePosition): Promise<void> {
    if (!from) return; // opened lazily at offset 0 by the first read()
    const found = await this.findFile(from);
    if (!found) {
      this.options.logger.info(`the file of the saved position (${describeFile(from)}) is gone; reading ${this.path} from the start`);
      return;
    }
    const handle = await open(found, 'r');
    const identity = await identityOfHandle(handle);
    if (!sameFile(identity, from)) {
      // Replaced between the look-up and open(): read whatever is there now from the start.
      await handle.close();
      return;
    }
    this.handle = handle;
    this.identity = identity;
    this.offset = from.offset;
    if (found !== this.path) this.options.logger.info(`resuming rotated file ${found} at byte ${from.offset} before ${this.path}`);
  }

  /** Reads complete lines from the current position, at most `maxLines` lines and `maxBytes` bytes. */
  async read(maxLines: number, maxBytes: number): Promise<ReadResult> {
    if (!this.handle && !(await this.openPath())) return { kind: 'idle' };
    const handle = this.handle as FileHandle;
    const { size } = await handle.stat();
    if (size < this.offset) {
      this.options.logger.warn(`${this.path} shrank from ${this.offset} to ${size} bytes (truncated); reading it again from the start`);
      this.offset = 0;
      this.skippingLongLine = false;
      return { kind: 'break' };
    }
    while (size > this.offset) {
      const before = this.offset;
      const result = await this.readLines(handle, size, maxLines, maxBytes);
      // Skipping a long line moves on without a line to return: keep reading, since no file
      // change will announce the bytes that are already there.
      if (result?.kind === 'idle' && this.offset > before) continue;
      if (result) return result;
      break;
    }
    return (await this.followRotation(size)) ? { kind: 'break' } : { kind: 'idle' };
  }

  /** A rotation was seen and the old file is still being drained: it ends after rotateWaitMs, not on a file change. */
  get rotating(): boolean {
    return this.rotationSeenAt !== undefined;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private async readLines(handle: FileHandle, size: number, maxLines: number, maxBytes: number): Promise<ReadResult | undefined> {
    const available = size - this.offset;
    const want = Math.min(available, maxBytes);
    const buffer = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(buffer, 0, want, this.offset);
    const data = buffer.subarray(0, bytesRead);
    if (this.skippingLongLine) {
      const end = data.indexOf(NEWLINE);
      this.offset += end < 0 ? data.length : end + 1;
      this.skippingLongLine = end < 0;
      // The caller reads again from the next line's start, so the checks below see a whole buffer.
      return { kind: 'idle' };
    }
    const start = this.offset;
    const lines: string[] = [];
    let pos = 0;
    while (lines.length < maxLines) {
      const end = data.indexOf(NEWLINE, pos);
      if (end < 0) break;
      lines.push(data.toString('utf8', pos, end));
      pos = end + 1;
    }
    if (lines.length > 0) {
      this.offset = start + pos;
      return { kind: 'lines', chunk: { identity: this.identity as FileIdentity, start, end: this.offset, lines } };
    }
    // No complete line in what we read. If the read was cut short by maxBytes the line is either
    // too long for the caller's remaining room or too long altogether.
    if (bytesRead < available && data.length > 0) {
      if (maxBytes < this.options.maxLineBytes) return { kind: 'full' };
      this.options.logger.warn(`skipping a line longer than ${this.options.maxLineBytes} bytes at byte ${start} of ${this.path}`);
      this.offset += data.length;
      this.skippingLongLine = true;
      return { kind: 'idle' };
    }
    return undefined;
  }

  /** Switches to the new file once the rotated one is drained and its writer had time to let go. */
  private async followRotation(size: number): Promise<boolean> {
    const current = await identityOfPath(this.path);
    if (!current || sameFile(current, this.identity)) {
      this.rotationSeenAt = undefined;
      return false;
    }
    if (this.rotationSeenAt === undefined) {
      this.rotationSeenAt = Date.now();
      this.options.logger.info(`${this.path} was rotated; reading the old file for ${this.options.rotateWaitMs} ms more before switching`);
    }
    if (Date.now() - this.rotationSeenAt < this.options.rotateWaitMs) return false;
    if (size > this.offset) this.options.logger.warn(`rotated file ended with an unfinished line (${size - this.offset} bytes); it is dropped`);
    this.options.logger.info(`finished the rotated file at byte ${this.offset}; now following the new ${this.path}`);
    await this.close();
    this.rotationSeenAt = undefined;
    return this.openPath();
  }

  private async openPath(): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!this.missingLogged) this.options.logger.info(`waiting for ${this.path} to appear`);
      this.missingLogged = true;
      return false;
    }
    this.missingLogged = false;
    this.handle = handle;
    this.identity = await identityOfHandle(handle);
    this.offset = 0;
    this.skippingLongLine = false;
    return true;
  }

  /** The path holding `id` now: the log itself or a rotated sibling such as `access.log.1`. */
  private async findFile(id: FileIdentity): Promise<string | undefined> {
    if (sameFile(await identityOfPath(this.path), id)) return this.path;
    const dir = dirname(this.path);
    const name = basename(this.path);
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return undefined;
    }
    for (const entry of entries.filter((e) => e !== name && e.startsWith(name)).sort()) {
      const candidate = join(dir, entry);
      if (sameFile(await identityOfPath(candidate), id)) return candidate;
    }
    return undefined;
  }
}
