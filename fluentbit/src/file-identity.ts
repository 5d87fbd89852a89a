import { stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * A file as the kernel knows it (device + inode), so a renamed (rotated) file is still
 * recognised. Kept as strings: inode numbers can exceed 2^53.
 */
export interface FileIdentity {
  dev: string;
  ino: string;
}

/** How far into which file the shipper has delivered everything. */
export interface FilePosition extends FileIdentity {
  offset: number;
}

export function sameFile(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

export function describeFile(id: FileIdentity): string {
  return `dev ${id.dev} inode ${id.ino}`;
}

export async function identityOfHandle(handle: FileHandle): Promise<FileIdentity> {
  const st = await handle.stat({ bigint: true });
  return { dev: String(st.dev), ino: String(st.ino) };
}

/** The identity of whatever is at `path` now, or undefined when nothing is. */
export async function identityOfPath(path: string): Promise<FileIdentity | undefined> {
  try {
    const st = await stat(path, { bigint: true });
    return st.isFile() ? { dev: String(st.dev), ino: String(st.ino) } : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
