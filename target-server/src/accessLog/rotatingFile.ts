import { existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import SonicBoom from 'sonic-boom';

export interface RotatingFileOptions {
  file: string;
  /** Rotate before a write would take the file past this size. */
  maxBytes: number;
  /** Rotated files kept: file.1 (newest) … file.N (oldest). */
  keep: number;
}

/**
 * An append-only log file rotated by size the way tailing shippers expect: file → file.1 by
 * rename, then a fresh file is opened at the same path. Writes are synchronous and whole, and
 * rotation happens only between writes, so no line is lost or split across files.
 * Only one process should write (and rotate) a given file.
 */
export class RotatingFile {
  private readonly stream: SonicBoom;
  private size: number;
  private closed = false;

  constructor(private readonly options: RotatingFileOptions) {
    if (!(Number.isFinite(options.maxBytes) && options.maxBytes >= 1024)) throw new Error('access log maxBytes must be at least 1024');
    if (!(Number.isInteger(options.keep) && options.keep >= 1 && options.keep <= 1000)) throw new Error('access log keep must be an integer in [1, 1000]');
    mkdirSync(dirname(options.file), { recursive: true });
    this.size = existsSync(options.file) ? statSync(options.file).size : 0;
    this.stream = new SonicBoom({ dest: options.file, sync: true, append: true, mkdir: true });
    // A failed write must not take the server down; the request is still answered.
    this.stream.on('error', (error: Error) => console.error(`access log: ${error.message}`));
    // reopen() closes the previous descriptor on the next tick; rotations within one tick each wait for it.
    this.stream.setMaxListeners(0);
  }

  get file(): string {
    return this.options.file;
  }

  /** Appends whole lines. */
  write(lines: string): void {
    if (this.closed) return;
    const length = Buffer.byteLength(lines);
    if (this.size > 0 && this.size + length > this.options.maxBytes) this.rotate();
    try {
      this.stream.write(lines);
    } catch (error) {
      // Called from response listeners: a full disk must cost log lines, not the process.
      console.error(`access log write failed: ${(error as Error).message}`);
      return;
    }
    this.size += length;
  }

  /** Shifts file.N-1 → file.N …, file → file.1, and reopens file empty. */
  rotate(): void {
    const { file, keep } = this.options;
    try {
      rmIfExists(`${file}.${keep}`);
      for (let i = keep - 1; i >= 1; i -= 1) renameIfExists(`${file}.${i}`, `${file}.${i + 1}`);
      renameSync(file, `${file}.1`);
      this.stream.reopen();
    } catch (error) {
      // Keep appending to the current file rather than losing lines; try again after another maxBytes.
      console.error(`access log rotation failed: ${(error as Error).message}`);
    }
    this.size = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.flushSync();
    this.stream.end();
  }
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function rmIfExists(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
