/**
 * FilesystemRecordingStore: recordings stay on local disk under one directory (the default: <data dir>/recordings).
 * put() of a file already at its place only reads its size; otherwise the file is copied next to its destination
 * and renamed into place, so a reader never sees half a file.
 */
import { createReadStream } from 'node:fs';
import { access, copyFile, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileMd5 } from './file-md5.js';
import {
  checkRecordingKey,
  contentTypeOf,
  objectName,
  resolveRange,
  type ByteRange,
  type RecordingPart,
  type RecordingRead,
  type RecordingStore,
  type RecordingStoreHealth,
  type StoredRecording,
} from './recording-store.js';

/** Reads (part of) a local file as a RecordingRead; null if it does not exist. */
export async function readLocalRecording(
  path: string,
  range: ByteRange | undefined,
  part: RecordingPart,
): Promise<RecordingRead | null> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const { start, end } = resolveRange(range, size);
  const stream = size === 0 ? createReadStream(path) : createReadStream(path, { start, end });
  return { stream, size, start, end, contentType: contentTypeOf(part) };
}

export class FilesystemRecordingStore implements RecordingStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  localPath(key: string, part: RecordingPart = 'audio'): string {
    return join(this.root, objectName(key, part));
  }

  async put(localWavPath: string, localJsonPath: string | null, key: string): Promise<StoredRecording> {
    checkRecordingKey(key);
    const destination = this.localPath(key, 'audio');
    if (localJsonPath !== null) await this.place(localJsonPath, this.localPath(key, 'sidecar'));
    const uri = pathToFileURL(destination).href;
    if (resolve(localWavPath) === destination) {
      // already in place (the default layout): the file is what the recorder wrote
      return { uri, bytes: (await stat(destination)).size, md5: null };
    }
    const source = await fileMd5(localWavPath);
    await this.place(localWavPath, destination);
    const stored = await fileMd5(destination);
    if (stored.md5 !== source.md5 || stored.bytes !== source.bytes)
      throw new Error(`recording ${key}: stored copy differs from the local file (size or MD5)`);
    return { uri, bytes: stored.bytes, md5: stored.md5 };
  }

  private async place(source: string, destination: string): Promise<void> {
    if (resolve(source) === destination) return;
    await mkdir(dirname(destination), { recursive: true });
    const partial = `${destination}.partial`;
    try {
      await copyFile(source, partial);
      await rename(partial, destination);
    } catch (error) {
      await unlink(partial).catch(() => undefined);
      throw error;
    }
  }

  async get(key: string, range?: ByteRange, part: RecordingPart = 'audio'): Promise<RecordingRead | null> {
    return readLocalRecording(this.localPath(key, part), range, part);
  }

  async exists(key: string, part: RecordingPart = 'audio'): Promise<boolean> {
    try {
      await access(this.localPath(key, part));
      return true;
    } catch {
      return false;
    }
  }

  async health(): Promise<RecordingStoreHealth> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root, 2 /* W_OK */);
      return { status: 'ok', backend: 'filesystem', detail: null };
    } catch (error) {
      return {
        status: 'degraded',
        backend: 'filesystem',
        detail: `recordings dir not writable: ${String(error)}`,
      };
    }
  }
}
