/**
 * RecordingUploader: when a call ends, moves its recording from the local recorder's files into the RecordingStore.
 * Order, so nothing is lost: (1) a marker `<wav>.upload.json` is written so a restart can resume (resume()),
 * (2) put() uploads and verifies size/MD5, (3) the conversation gets the recording URI and a recording_available
 * event in one store transaction, (4) only then are the local files and the marker deleted. While the store is
 * unreachable, put() is retried with back-off and get() keeps serving the local copy.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EVENT_SCHEMA_VERSION } from '../events.js';
import type { ConversationStore } from '../store/conversation-store.js';
import { StoreNotFoundError } from '../store/store-errors.js';
import { readLocalRecording } from './filesystem-recording-store.js';
import {
  checkRecordingKey,
  type ByteRange,
  type RecordingPart,
  type RecordingRead,
  type RecordingStore,
  type StoredRecording,
} from './recording-store.js';
import { wavDurationSeconds } from './wav-duration.js';

export interface RecordingUploadJob {
  conversationId: string;
  /** store key; default: the conversation id */
  key?: string;
  wavPath: string;
  jsonPath: string | null;
}

export interface RecordingUploaderOptions {
  store: RecordingStore;
  /** when given, the conversation's recording reference is set and recording_available enqueued */
  conversations?: ConversationStore;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Runs on the local files before each upload attempt (e.g. silencing redacted spans, so the store never gets
   * them); must be idempotent. A failure is retried like a failed upload.
   */
  prepare?: (job: Required<RecordingUploadJob>) => Promise<void>;
  /** every failed attempt (error) and each success (null) — wire to the logger */
  onStatus?: (job: RecordingUploadJob, error: unknown | null) => void;
}

export interface RecordingUploaderHealth {
  status: 'ok' | 'degraded';
  /** uploads waiting (their local copies are still served) */
  pendingUploads: number;
  detail: string | null;
}

const MARKER_SUFFIX = '.upload.json';

interface Pending {
  job: Required<RecordingUploadJob>;
  lastError: unknown;
  /** deleted (erasure, deletion request) while pending: abandon the upload, keep nothing */
  deleted: boolean;
  /** the prepare step has run: until then the local files are not served (they may still hold redacted audio) */
  prepared: boolean;
}

export class RecordingUploader {
  private readonly pending = new Map<string, Pending>();
  /**
   * Keys the recorder is still writing. The filesystem store's layout is the recorder's own directory, so without
   * this a reader (post-call transcription) could find the file half written and take it for the whole call.
   */
  private readonly recording = new Set<string>();
  private closed = false;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly options: RecordingUploaderOptions) {}

  /** The recorder started writing `key`: get() serves nothing for it until it is enqueued or abandoned. */
  recordingStarted(key: string): void {
    this.recording.add(checkRecordingKey(key));
  }

  /** The recorder ended `key` without a file to store (its WAV failed): served from the store as before. */
  recordingAbandoned(key: string): void {
    this.recording.delete(key);
  }

  /** Start moving a recording; resolves when it is stored, verified and the local copy removed. */
  async enqueue(job: RecordingUploadJob): Promise<StoredRecording> {
    const full: Required<RecordingUploadJob> = {
      conversationId: job.conversationId,
      key: checkRecordingKey(job.key ?? job.conversationId),
      wavPath: resolve(job.wavPath),
      jsonPath: job.jsonPath === null ? null : resolve(job.jsonPath),
    };
    if (this.closed) throw new Error('recording uploader is closed');
    if (this.pending.has(full.key)) throw new Error(`recording ${full.key} is already being uploaded`);
    // registered before the first await: the recording is final now, and get() serves it from this moment on (a
    // post-call job queued right after the recorder finalised the call must not find it missing)
    const entry: Pending = { job: full, lastError: null, deleted: false, prepared: !this.options.prepare };
    this.pending.set(full.key, entry);
    this.recording.delete(full.key);
    try {
      await writeFile(full.wavPath + MARKER_SUFFIX, JSON.stringify(full));
      return await this.run(entry);
    } finally {
      this.pending.delete(full.key);
    }
  }

  /** After a restart: re-enqueue every upload whose marker is still in `dir`. Returns how many were found. */
  async resume(dir: string): Promise<number> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return 0;
    }
    let count = 0;
    for (const name of names.filter((entry) => entry.endsWith(MARKER_SUFFIX))) {
      const job = JSON.parse(await readFile(join(dir, name), 'utf8')) as RecordingUploadJob;
      count++;
      this.enqueue(job).catch((error: unknown) => this.options.onStatus?.(job, error));
    }
    return count;
  }

  private async run(entry: Pending): Promise<StoredRecording> {
    const { job } = entry;
    let backoff = this.options.initialBackoffMs ?? 1_000;
    const maxBackoff = this.options.maxBackoffMs ?? 60_000;
    for (;;) {
      if (this.closed)
        throw new Error(`recording uploader closed; ${job.key} stays local (marker kept for resume)`);
      if (entry.deleted) throw new Error(`recording ${job.key} was deleted before its upload finished`);
      try {
        await this.options.prepare?.(job);
        entry.prepared = true;
        if (entry.deleted) continue; // deleted while preparing: its files are gone (the loop says so)
        const stored = await this.options.store.put(job.wavPath, job.jsonPath, job.key);
        if (entry.deleted) {
          await this.options.store.delete(job.key);
          throw new Error(`recording ${job.key} was deleted before its upload finished`);
        }
        entry.lastError = null;
        this.options.onStatus?.(job, null);
        await this.record(job, stored);
        await this.removeLocal(job);
        return stored;
      } catch (error) {
        if (
          (error as NodeJS.ErrnoException).code === 'ENOENT' &&
          (error as NodeJS.ErrnoException).path === job.wavPath
        ) {
          await rm(job.wavPath + MARKER_SUFFIX, { force: true });
          throw new Error(`recording ${job.key}: local file ${job.wavPath} is missing; nothing to upload`);
        }
        entry.lastError = error;
        this.options.onStatus?.(job, error);
        await this.sleep(backoff);
        backoff = Math.min(maxBackoff, backoff * 2);
      }
    }
  }

  private async record(job: Required<RecordingUploadJob>, stored: StoredRecording): Promise<void> {
    const conversations = this.options.conversations;
    if (conversations === undefined) return;
    const durationSeconds = (await wavDurationSeconds(job.wavPath)) ?? 0;
    try {
      await conversations.setRecording(job.conversationId, stored.uri, {
        events: [
          {
            schemaVersion: EVENT_SCHEMA_VERSION,
            eventId: randomUUID(),
            type: 'recording_available',
            conversationId: job.conversationId,
            time: new Date().toISOString(),
            data: { uri: stored.uri, bytes: stored.bytes, durationSeconds },
          },
        ],
      });
    } catch (error) {
      if (!(error instanceof StoreNotFoundError)) throw error;
      // a recording without a conversation row (e.g. a store wiped in tests) is still kept in the store
    }
  }

  private async removeLocal(job: Required<RecordingUploadJob>): Promise<void> {
    const ownAudio = this.options.store.localPath?.(job.key, 'audio');
    const ownSidecar = this.options.store.localPath?.(job.key, 'sidecar');
    if (job.wavPath !== ownAudio) await rm(job.wavPath, { force: true });
    if (job.jsonPath !== null && job.jsonPath !== ownSidecar) await rm(job.jsonPath, { force: true });
    await rm(job.wavPath + MARKER_SUFFIX, { force: true });
  }

  /**
   * Serve a recording: the local copy while its upload is pending, otherwise from the store. Before the prepare step
   * has run (audio redaction) there is nothing to serve yet: null, as for a recording still being stored.
   */
  async get(key: string, range?: ByteRange, part: RecordingPart = 'audio'): Promise<RecordingRead | null> {
    if (this.recording.has(key)) return null;
    const entry = this.pending.get(key);
    if (entry !== undefined && !entry.prepared) return null;
    if (entry !== undefined) {
      const path = part === 'audio' ? entry.job.wavPath : entry.job.jsonPath;
      const local = path === null ? null : await readLocalRecording(path, range, part);
      if (local !== null) return local;
    }
    return this.options.store.get(key, range, part);
  }

  /**
   * Delete a recording wherever it is: a pending upload is abandoned and its local files and marker removed, then
   * the store's copy is deleted. Resolves with whether anything was found.
   */
  async delete(key: string): Promise<boolean> {
    checkRecordingKey(key);
    let found = false;
    const entry = this.pending.get(key);
    if (entry !== undefined) {
      entry.deleted = true;
      found = true;
      await this.removeLocal(entry.job);
    }
    return (await this.options.store.delete(key)) || found;
  }

  get pendingUploads(): number {
    return this.pending.size;
  }

  health(): RecordingUploaderHealth {
    const failing = [...this.pending.values()].find((entry) => entry.lastError !== null);
    return {
      status: failing === undefined ? 'ok' : 'degraded',
      pendingUploads: this.pending.size,
      detail:
        failing === undefined
          ? null
          : `upload of ${failing.job.key} retrying: ${failing.lastError instanceof Error ? failing.lastError.message : String(failing.lastError)}`,
    };
  }

  /** Stop retrying; pending uploads keep their local files and markers for resume(). */
  close(): void {
    this.closed = true;
    for (const wake of this.wakers) wake();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((done) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        done();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
