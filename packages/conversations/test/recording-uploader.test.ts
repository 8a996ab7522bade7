import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AzureBlobRecordingStore,
  FilesystemRecordingStore,
  RecordingUploader,
  SqliteConversationStore,
} from '../src/index.js';
import { readAll, writeWav } from './recording-contract.js';
import { makeConversation } from './store-contract.js';
import { startAzurite } from './support/services-azurite.js';

let dir: string;
let spool: string;
let conversations: SqliteConversationStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookscribe-upload-'));
  spool = join(dir, 'spool');
  mkdirSync(spool);
  conversations = new SqliteConversationStore({ path: ':memory:' });
});
afterEach(async () => {
  await conversations.close();
  rmSync(dir, { recursive: true, force: true });
});

async function callEnded(): Promise<{ id: string; wavPath: string; jsonPath: string; wav: Buffer }> {
  const conversation = makeConversation();
  await conversations.upsertConversation(conversation);
  const wavPath = join(spool, `${conversation.id}.wav`);
  const jsonPath = join(spool, `${conversation.id}.json`);
  const wav = writeWav(wavPath, 2);
  writeFileSync(jsonPath, '{"open":{}}');
  return { id: conversation.id, wavPath, jsonPath, wav };
}

describe('RecordingUploader', () => {
  it('moves the recording into the store, records it on the conversation, then deletes the local copy', async () => {
    const store = new FilesystemRecordingStore(join(dir, 'recordings'));
    const uploader = new RecordingUploader({ store, conversations });
    const call = await callEnded();
    const stored = await uploader.enqueue({
      conversationId: call.id,
      wavPath: call.wavPath,
      jsonPath: call.jsonPath,
    });
    expect(existsSync(call.wavPath)).toBe(false);
    expect(existsSync(call.jsonPath)).toBe(false);
    expect(existsSync(`${call.wavPath}.upload.json`)).toBe(false);
    expect(readFileSync(store.localPath(call.id)).equals(call.wav)).toBe(true);
    const read = await conversations.getConversation(call.id);
    expect(read?.recording).toBe(stored.uri);
    const events = await conversations.listEvents(call.id);
    expect(events.map((entry) => entry.event)).toMatchObject([
      { type: 'recording_available', data: { uri: stored.uri, bytes: call.wav.length, durationSeconds: 2 } },
    ]);
  });

  it('never deletes a file that is the store’s own copy (recordings already in the data dir)', async () => {
    const store = new FilesystemRecordingStore(spool);
    const uploader = new RecordingUploader({ store, conversations });
    const call = await callEnded();
    await uploader.enqueue({ conversationId: call.id, wavPath: call.wavPath, jsonPath: call.jsonPath });
    expect(readFileSync(call.wavPath).equals(call.wav)).toBe(true);
    expect(existsSync(call.jsonPath)).toBe(true);
  });

  it('serves nothing for a recording the recorder is still writing in the store’s directory', async () => {
    const store = new FilesystemRecordingStore(spool);
    const uploader = new RecordingUploader({ store, conversations });
    const call = await callEnded(); // the recorder's file, already at the store's place
    uploader.recordingStarted(call.id);
    expect(await uploader.get(call.id)).toBeNull(); // not half a call for post-call transcription
    const upload = uploader.enqueue({
      conversationId: call.id,
      wavPath: call.wavPath,
      jsonPath: call.jsonPath,
    });
    // served from the moment enqueue is called (the post-call job is queued right then), not once it is stored
    const read = uploader.get(call.id);
    await upload;
    expect((await readAll((await read)!.stream)).equals(call.wav)).toBe(true);
    expect((await readAll((await uploader.get(call.id))!.stream)).equals(call.wav)).toBe(true);

    const failed = await callEnded();
    uploader.recordingStarted(failed.id);
    uploader.recordingAbandoned(failed.id); // no WAV to store: whatever is there is served as before
    expect((await readAll((await uploader.get(failed.id))!.stream)).equals(failed.wav)).toBe(true);
  });

  it('prepare runs before the upload; until it has, the recording is not served', async () => {
    const store = new FilesystemRecordingStore(spool); // in place: the local file is the store's own
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const preparing = new Promise<void>((resolve) => (entered = resolve));
    const uploader = new RecordingUploader({
      store,
      conversations,
      prepare: async (job) => {
        entered();
        await gate;
        writeFileSync(job.wavPath, Buffer.alloc(100, 0xff)); // e.g. the redacted spans silenced
      },
    });
    const call = await callEnded();
    const upload = uploader.enqueue({
      conversationId: call.id,
      wavPath: call.wavPath,
      jsonPath: call.jsonPath,
    });
    await preparing; // the upload is pending and stopped in its prepare step
    expect(uploader.pendingUploads).toBe(1);
    expect(await uploader.get(call.id)).toBeNull(); // neither the local copy nor the store's same file
    release();
    await upload;
    expect((await readAll((await uploader.get(call.id))!.stream)).equals(Buffer.alloc(100, 0xff))).toBe(true);
  });

  it('delete() during an upload abandons it and removes the local files; the store keeps nothing', async () => {
    const store = new FilesystemRecordingStore(join(dir, 'recordings'));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const preparing = new Promise<void>((resolve) => (entered = resolve));
    const uploader = new RecordingUploader({
      store,
      conversations,
      prepare: () => {
        entered();
        return gate;
      },
    });
    const call = await callEnded();
    const upload = uploader.enqueue({
      conversationId: call.id,
      wavPath: call.wavPath,
      jsonPath: call.jsonPath,
    });
    await preparing; // the upload is pending and stopped in its prepare step
    expect(await uploader.delete(call.id)).toBe(true);
    release();
    await expect(upload).rejects.toThrow(/deleted before its upload finished/);
    expect(existsSync(call.wavPath)).toBe(false);
    expect(existsSync(call.jsonPath)).toBe(false);
    expect(existsSync(`${call.wavPath}.upload.json`)).toBe(false);
    expect(await store.exists(call.id)).toBe(false);
    expect((await conversations.getConversation(call.id))?.recording).toBeNull();
  });

  it('a missing local file is a clear error', async () => {
    const uploader = new RecordingUploader({ store: new FilesystemRecordingStore(join(dir, 'r')) });
    await expect(
      uploader.enqueue({ conversationId: 'c1', wavPath: join(spool, 'nope.wav'), jsonPath: null }),
    ).rejects.toThrow(/local file .* is missing/);
  });

  it('resume() finishes uploads that a restart interrupted', async () => {
    const store = new FilesystemRecordingStore(join(dir, 'recordings'));
    const call = await callEnded();
    const interrupted = new RecordingUploader({
      store: { ...store, put: () => new Promise(() => undefined) } as never,
    });
    void interrupted.enqueue({ conversationId: call.id, wavPath: call.wavPath, jsonPath: call.jsonPath });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(`${call.wavPath}.upload.json`)).toBe(true);

    const statuses: unknown[] = [];
    const restarted = new RecordingUploader({
      store,
      conversations,
      onStatus: (_job, error) => statuses.push(error),
    });
    expect(await restarted.resume(spool)).toBe(1);
    for (let tries = 0; existsSync(call.wavPath) && tries < 100; tries++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(existsSync(call.wavPath)).toBe(false);
    expect(await store.exists(call.id)).toBe(true);
    expect(statuses).toEqual([null]);
    expect((await conversations.getConversation(call.id))?.recording).toContain(call.id);
  });

  it('Azurite down during the upload: retries with back-off, serves the local copy meanwhile, loses nothing', async () => {
    const azurite = await startAzurite();
    try {
      const store = new AzureBlobRecordingStore({
        connectionString: azurite.connectionString,
        container: 'recordings',
        pipeline: { retryOptions: { maxTries: 1 } },
      });
      const failures: unknown[] = [];
      const uploader = new RecordingUploader({
        store,
        conversations,
        initialBackoffMs: 100,
        maxBackoffMs: 400,
        onStatus: (_job, error) => error !== null && failures.push(error),
      });
      const call = await callEnded();
      await azurite.stop();
      const upload = uploader.enqueue({
        conversationId: call.id,
        wavPath: call.wavPath,
        jsonPath: call.jsonPath,
      });
      for (let tries = 0; failures.length < 2 && tries < 200; tries++)
        await new Promise((resolve) => setTimeout(resolve, 25));
      expect(failures.length).toBeGreaterThanOrEqual(2);

      const health = uploader.health();
      expect(health).toMatchObject({ status: 'degraded', pendingUploads: 1 });
      expect(health.detail).toMatch(new RegExp(`upload of ${call.id} retrying`));
      expect(existsSync(call.wavPath)).toBe(true);
      const served = await uploader.get(call.id, { start: 44, end: 143 });
      expect((await readAll(served!.stream)).equals(call.wav.subarray(44, 144))).toBe(true);
      expect((await conversations.getConversation(call.id))?.recording).toBeNull();

      await azurite.start();
      const stored = await upload;
      expect(stored.md5).toBe(createHash('md5').update(call.wav).digest('base64'));
      expect(existsSync(call.wavPath)).toBe(false);
      expect(uploader.health()).toMatchObject({ status: 'ok', pendingUploads: 0 });
      const remote = await uploader.get(call.id);
      expect((await readAll(remote!.stream)).equals(call.wav)).toBe(true);
      expect((await conversations.getConversation(call.id))?.recording).toBe(stored.uri);
    } finally {
      await azurite.destroy();
    }
  });
});
