/** The RecordingStore contract, run against the filesystem store and Azure Blob (Azurite). */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingKeyError, RecordingRangeError, type RecordingStore } from '../src/index.js';

/** A real 8 kHz 16-bit mono WAV of `seconds` seconds (a ramp, so every byte range differs). */
export function writeWav(path: string, seconds: number): Buffer {
  const rate = 8000;
  const data = Buffer.alloc(rate * 2 * seconds);
  for (let index = 0; index < data.length / 2; index++) data.writeInt16LE((index * 37) % 32768, index * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  const file = Buffer.concat([header, data]);
  writeFileSync(path, file);
  return file;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function describeRecordingStoreContract(
  name: string,
  open: () => Promise<{ store: RecordingStore; cleanup: () => Promise<void> }>,
): void {
  describe(`RecordingStore contract: ${name}`, () => {
    let store: RecordingStore;
    let cleanup: () => Promise<void>;
    let dir: string;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      dir = mkdtempSync(join(tmpdir(), 'hookscribe-rec-src-'));
    });
    afterAll(async () => {
      await cleanup?.();
      rmSync(dir, { recursive: true, force: true });
    });

    it('puts a recording with its sidecar, verifies it, and reads it back whole', async () => {
      const key = randomUUID();
      const wav = writeWav(join(dir, `${key}.wav`), 2);
      writeFileSync(join(dir, `${key}.json`), '{"events":[]}');
      const stored = await store.put(join(dir, `${key}.wav`), join(dir, `${key}.json`), key);
      expect(stored.bytes).toBe(wav.length);
      expect(stored.md5).toBe(createHash('md5').update(wav).digest('base64'));
      expect(stored.uri).toContain(key);
      expect(await store.exists(key)).toBe(true);
      expect(await store.exists(key, 'sidecar')).toBe(true);
      const read = await store.get(key);
      expect(read).toMatchObject({
        size: wav.length,
        start: 0,
        end: wav.length - 1,
        contentType: 'audio/wav',
      });
      expect((await readAll(read!.stream)).equals(wav)).toBe(true);
      const sidecar = await store.get(key, undefined, 'sidecar');
      expect((await readAll(sidecar!.stream)).toString()).toBe('{"events":[]}');
      expect(sidecar!.contentType).toBe('application/json');
    });

    it('serves byte ranges (for HTTP range requests) and refuses unsatisfiable ones', async () => {
      const key = `2026/01/${randomUUID()}`;
      const wav = writeWav(join(dir, 'ranged.wav'), 1);
      await store.put(join(dir, 'ranged.wav'), null, key);
      const middle = await store.get(key, { start: 100, end: 199 });
      expect(middle).toMatchObject({ size: wav.length, start: 100, end: 199 });
      expect((await readAll(middle!.stream)).equals(wav.subarray(100, 200))).toBe(true);
      const tail = await store.get(key, { start: wav.length - 10 });
      expect((await readAll(tail!.stream)).equals(wav.subarray(wav.length - 10))).toBe(true);
      const clamped = await store.get(key, { start: 0, end: wav.length + 500 });
      expect(clamped!.end).toBe(wav.length - 1);
      await readAll(clamped!.stream);
      await expect(store.get(key, { start: wav.length })).rejects.toBeInstanceOf(RecordingRangeError);
      await expect(store.get(key, { start: 10, end: 5 })).rejects.toBeInstanceOf(RecordingRangeError);
    });

    it('absent recordings read as null; bad keys are refused', async () => {
      expect(await store.get(randomUUID())).toBeNull();
      expect(await store.exists(randomUUID())).toBe(false);
      await expect(store.get('../../etc/passwd')).rejects.toBeInstanceOf(RecordingKeyError);
      await expect(store.put(join(dir, 'x.wav'), null, 'a/../b')).rejects.toBeInstanceOf(RecordingKeyError);
    });

    it('putting a missing local file is an error and stores nothing', async () => {
      const key = randomUUID();
      await expect(store.put(join(dir, 'missing.wav'), null, key)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await store.exists(key)).toBe(false);
    });

    it('deletes both parts of one key and nothing else; deleting again finds nothing', async () => {
      const gone = `2026/02/${randomUUID()}`;
      const kept = `2026/02/${randomUUID()}`;
      writeWav(join(dir, 'del.wav'), 1);
      writeFileSync(join(dir, 'del.json'), '{}');
      await store.put(join(dir, 'del.wav'), join(dir, 'del.json'), gone);
      await store.put(join(dir, 'del.wav'), join(dir, 'del.json'), kept);
      expect(await store.delete(gone)).toBe(true);
      expect(await store.exists(gone)).toBe(false);
      expect(await store.exists(gone, 'sidecar')).toBe(false);
      expect(await store.get(gone)).toBeNull();
      expect(await store.get(gone, undefined, 'sidecar')).toBeNull();
      expect(await store.exists(kept)).toBe(true);
      expect(await store.exists(kept, 'sidecar')).toBe(true);
      expect(await store.delete(gone)).toBe(false);
      await expect(store.delete('../x')).rejects.toBeInstanceOf(RecordingKeyError);
    });

    it('reports healthy', async () => {
      expect(await store.health()).toMatchObject({ status: 'ok', detail: null });
    });
  });
}
