/**
 * RecordingStore: where a finished call's recording (WAV + protocol JSON sidecar) lives. Keys are the conversation
 * id (letters, digits, `.`, `_`, `-`, and `/` between such segments); the store keeps `<key>.wav` and `<key>.json`.
 * Adapters: FilesystemRecordingStore (default, under the data dir) and AzureBlobRecordingStore.
 */
import type { Readable } from 'node:stream';

export type RecordingPart = 'audio' | 'sidecar';

/** HTTP-style byte range, both ends inclusive; end omitted = to the last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface RecordingRead {
  stream: Readable;
  /** total size of the object in bytes */
  size: number;
  /** first and last byte in this read (inclusive) */
  start: number;
  end: number;
  contentType: string;
}

export interface StoredRecording {
  uri: string;
  bytes: number;
  /**
   * base64 MD5 of the audio, as verified by the store; null when the store kept the file where the recorder wrote
   * it (nothing was copied, so there was nothing to verify, and hashing every recording at the end of every call
   * was the largest cost of a burst of call ends)
   */
  md5: string | null;
}

export interface RecordingStoreHealth {
  status: 'ok' | 'degraded';
  backend: 'filesystem' | 'azure-blob';
  detail: string | null;
}

export interface RecordingStore {
  /**
   * Copy a local recording into the store under `key` and verify it arrived whole (size and MD5). Resolves only
   * once verified; the local files are left as they are (the RecordingUploader deletes them after this resolves).
   */
  put(localWavPath: string, localJsonPath: string | null, key: string): Promise<StoredRecording>;
  /** null when absent; rejects with RecordingRangeError for a range outside the object. */
  get(key: string, range?: ByteRange, part?: RecordingPart): Promise<RecordingRead | null>;
  exists(key: string, part?: RecordingPart): Promise<boolean>;
  /**
   * Delete both parts (audio and sidecar) of `key`; resolves with whether anything was there. Used by retention,
   * deletion requests and erasure; deleting an absent recording is not an error.
   */
  delete(key: string): Promise<boolean>;
  /** The file path that backs `key` when the store is the local filesystem (never delete it as a "local copy"). */
  localPath?(key: string, part?: RecordingPart): string;
  health(): Promise<RecordingStoreHealth>;
}

/** The requested range does not overlap the object (HTTP 416). */
export class RecordingRangeError extends Error {
  override name = 'RecordingRangeError';
  constructor(
    message: string,
    readonly size: number,
  ) {
    super(message);
  }
}

/** A key with characters outside the allowed set or a `..` segment. */
export class RecordingKeyError extends Error {
  override name = 'RecordingKeyError';
}

export function checkRecordingKey(key: string): string {
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > 400 ||
    !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(key) ||
    key.split('/').some((segment) => segment === '.' || segment === '..')
  )
    throw new RecordingKeyError(`invalid recording key: ${JSON.stringify(key)}`);
  return key;
}

export function objectName(key: string, part: RecordingPart = 'audio'): string {
  return `${checkRecordingKey(key)}${part === 'audio' ? '.wav' : '.json'}`;
}

export function contentTypeOf(part: RecordingPart): string {
  return part === 'audio' ? 'audio/wav' : 'application/json';
}

/** Resolve an HTTP-style range against a size; throws RecordingRangeError when unsatisfiable. */
export function resolveRange(range: ByteRange | undefined, size: number): { start: number; end: number } {
  if (range === undefined) return { start: 0, end: size - 1 };
  const { start } = range;
  if (
    !Number.isInteger(start) ||
    start < 0 ||
    start >= size ||
    (range.end !== undefined && range.end < start)
  )
    throw new RecordingRangeError(
      `range ${start}-${range.end ?? ''} not satisfiable for ${size} bytes`,
      size,
    );
  const end = range.end === undefined ? size - 1 : Math.min(range.end, size - 1);
  return { start, end };
}
