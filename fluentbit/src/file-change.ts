import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ShipperLogger } from './logger.ts';

/**
 * Wakes the shipper when its log changes, so an idle shipper sleeps instead of polling.
 *
 * It watches the log's directory, not the file: a watch on the file follows its inode, so it
 * would miss a new file appearing at the path after a rotation (and a file that does not exist
 * yet cannot be watched at all). Only names starting with the log's name count, which covers
 * the log itself and its rotated siblings (`access.log.1`) that are still being drained.
 * Where notifications are unavailable (no such directory, inotify limits, some network file
 * systems) `watching` is false and the caller polls as before.
 */
export class FileChangeSignal {
  private watcher: FSWatcher | undefined;
  private changed = false;
  private wake: (() => void) | undefined;
  private failureLogged = false;
  private readonly dir: string;
  private readonly name: string;

  constructor(
    path: string,
    private readonly logger: ShipperLogger,
  ) {
    this.dir = dirname(path);
    this.name = basename(path);
  }

  /** True while change notifications work; when false, wait() only times out. */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  /**
   * Forgets the changes seen so far. Call it right before reading the file: a change that lands
   * during the read then still cuts the next wait() short, so no write is slept through.
   */
  reset(): void {
    this.changed = false;
    if (!this.watcher) this.startWatching();
  }

  /** Resolves at the first change since reset(), after `timeoutMs`, or when `signal` aborts. */
  wait(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.changed || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.wake?.();
  }

  private notice(): void {
    this.changed = true;
    this.wake?.();
  }

  private startWatching(): void {
    try {
      // Not persistent: the shipper's own work keeps the process alive, a watcher alone must not.
      this.watcher = watch(this.dir, { persistent: false }, (_event, filename) => {
        if (filename === null || filename.startsWith(this.name)) this.notice();
      });
      this.watcher.on('error', (error) => {
        this.logFailure(error);
        this.watcher?.close();
        this.watcher = undefined;
        this.notice();
      });
      this.failureLogged = false;
    } catch (error) {
      this.logFailure(error as Error);
    }
  }

  private logFailure(error: Error): void {
    if (this.failureLogged) return;
    this.failureLogged = true;
    const reason = (error as NodeJS.ErrnoException).code ?? error.message;
    this.logger.info(`cannot watch ${this.dir} for changes (${reason}); polling it instead`);
  }
}
