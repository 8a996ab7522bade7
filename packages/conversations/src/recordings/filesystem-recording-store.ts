/**
 * FilesystemRecordingStore: recordings stay on local disk under one directory (the default: <data dir>/recordings).
 * put() of a file already at its place only reads its size; otherwise the file is copied next to its destination
 * and renamed into place, so a reader never sees half a file.
 *
 * With a keyring (HOOKSCRIBE_RECORDING_KEYS) both parts are stored envelope-encrypted as `<key>.wav.enc` and
 * `<key>.json.enc` (recording-encryption.ts), verified by decrypting them back; the plaintext the recorder wrote is
 * then a local copy the uploader removes. Plaintext recordings stored before encryption was enabled are still served.
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { access, copyFile, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileMd5 } from './file-md5.js';
import {
  encryptRecordingFile,
  openEncryptedRecording,
  type RecordingKeyring,
} from './recording-encryption.js';
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

const ENCRYPTED_SUFFIX = '.enc';

export interface FilesystemRecordingStoreOptions {
  /** envelope-encrypt recordings at rest with these keys (null/absent: plaintext) */
  keyring?: RecordingKeyring | null;
}

async function present(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export class FilesystemRecordingStore implements RecordingStore {
  readonly root: string;
  private readonly keyring: RecordingKeyring | null;

  constructor(root: string, options: FilesystemRecordingStoreOptions = {}) {
    this.root = resolve(root);
    this.keyring = options.keyring ?? null;
  }

  get encrypted(): boolean {
    return this.keyring !== null;
  }

  /** The file the store keeps for `key` (the encrypted one when encryption is on). */
  localPath(key: string, part: RecordingPart = 'audio'): string {
    return this.plainPath(key, part) + (this.keyring === null ? '' : ENCRYPTED_SUFFIX);
  }

  private plainPath(key: string, part: RecordingPart): string {
    return join(this.root, objectName(key, part));
  }

  async put(localWavPath: string, localJsonPath: string | null, key: string): Promise<StoredRecording> {
    checkRecordingKey(key);
    if (this.keyring !== null) return this.putEncrypted(this.keyring, localWavPath, localJsonPath, key);
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

  private async putEncrypted(
    keyring: RecordingKeyring,
    localWavPath: string,
    localJsonPath: string | null,
    key: string,
  ): Promise<StoredRecording> {
    if (localJsonPath !== null)
      await this.encryptInto(keyring, localJsonPath, this.localPath(key, 'sidecar'));
    const destination = this.localPath(key, 'audio');
    const source = await fileMd5(localWavPath);
    await this.encryptInto(keyring, localWavPath, destination);
    // verified by decrypting what was written: the stored file yields exactly the recorder's bytes
    const stored = await openEncryptedRecording(destination, keyring);
    const hash = createHash('md5');
    if (stored.size > 0)
      for await (const chunk of stored.read(0, stored.size - 1)) hash.update(chunk as Buffer);
    else await stored.close();
    const md5 = hash.digest('base64');
    if (md5 !== source.md5 || stored.size !== source.bytes)
      throw new Error(`recording ${key}: encrypted copy does not decrypt to the local file (size or MD5)`);
    return { uri: pathToFileURL(destination).href, bytes: source.bytes, md5 };
  }

  private async encryptInto(keyring: RecordingKeyring, source: string, destination: string): Promise<void> {
    await mkdir(dirname(destination), { recursive: true });
    const partial = `${destination}.partial`;
    try {
      await encryptRecordingFile(source, partial, keyring);
      await rename(partial, destination);
    } catch (error) {
      await unlink(partial).catch(() => undefined);
      throw error;
    }
  }

  async get(key: string, range?: ByteRange, part: RecordingPart = 'audio'): Promise<RecordingRead | null> {
    if (this.keyring !== null) {
      const path = this.localPath(key, part);
      if (await present(path)) {
        const recording = await openEncryptedRecording(path, this.keyring);
        try {
          const { start, end } = resolveRange(range, recording.size);
          return {
            stream: recording.read(start, end),
            size: recording.size,
            start,
            end,
            contentType: contentTypeOf(part),
          };
        } catch (error) {
          await recording.close();
          throw error;
        }
      }
    }
    // plaintext: the store without encryption, or a recording stored before encryption was turned on
    return readLocalRecording(this.plainPath(key, part), range, part);
  }

  async exists(key: string, part: RecordingPart = 'audio'): Promise<boolean> {
    return (
      (await present(this.plainPath(key, part))) ||
      (await present(this.plainPath(key, part) + ENCRYPTED_SUFFIX))
    );
  }

  async delete(key: string): Promise<boolean> {
    let found = false;
    for (const part of ['audio', 'sidecar'] as const) {
      for (const path of [this.plainPath(key, part), this.plainPath(key, part) + ENCRYPTED_SUFFIX]) {
        if (!(await present(path))) continue;
        found = true;
        await rm(path, { force: true });
      }
    }
    return found;
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
