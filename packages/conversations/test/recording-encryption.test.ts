/**
 * Envelope encryption of local recordings (recording-encryption.ts) through the filesystem store: nothing of the
 * audio is readable on disk, every byte range decrypts exactly (chunk boundaries included), tampering and wrong keys
 * fail loudly, and rotated keys still open older recordings.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CHUNK_BYTES,
  FilesystemRecordingStore,
  RecordingEncryptionError,
  parseRecordingKeys,
} from '../src/index.js';
import { readAll, writeWav } from './recording-contract.js';

const newKey = () => randomBytes(32).toString('base64');

describe('recording encryption at rest (filesystem store)', () => {
  let dir: string;
  let wav: Buffer;
  const keyA = newKey();
  const store = () =>
    new FilesystemRecordingStore(join(dir, 'store'), { keyring: parseRecordingKeys(`a:${keyA}`) });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookscribe-enc-'));
    // 3.2 chunks of audio, so ranges cross chunk boundaries and the last chunk is short
    wav = writeWav(join(dir, 'call.wav'), Math.ceil((DEFAULT_CHUNK_BYTES * 3.2) / 16000));
    writeFileSync(join(dir, 'call.json'), JSON.stringify({ card: 'sidecar text 4111' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores ciphertext only, under .enc names, and reads back the exact bytes', async () => {
    const recordings = store();
    const stored = await recordings.put(join(dir, 'call.wav'), join(dir, 'call.json'), '2026-01-01/one');
    expect(stored.bytes).toBe(wav.length);
    const onDisk = readFileSync(join(dir, 'store', '2026-01-01', 'one.wav.enc'));
    expect(existsSync(join(dir, 'store', '2026-01-01', 'one.wav'))).toBe(false);
    // no run of 64 audio bytes survives in the file, and the sidecar's text is not readable
    expect(onDisk.includes(wav.subarray(1000, 1064))).toBe(false);
    expect(readFileSync(join(dir, 'store', '2026-01-01', 'one.json.enc')).includes('4111')).toBe(false);
    expect(recordings.localPath('2026-01-01/one')).toMatch(/one\.wav\.enc$/);
    const whole = await recordings.get('2026-01-01/one');
    expect(whole?.size).toBe(wav.length);
    expect((await readAll(whole!.stream)).equals(wav)).toBe(true);
    const sidecar = await recordings.get('2026-01-01/one', undefined, 'sidecar');
    expect((await readAll(sidecar!.stream)).toString()).toContain('4111');
  });

  it.each([
    [0, 0],
    [DEFAULT_CHUNK_BYTES - 3, DEFAULT_CHUNK_BYTES + 2],
    [DEFAULT_CHUNK_BYTES, 2 * DEFAULT_CHUNK_BYTES - 1],
    [10, 3 * DEFAULT_CHUNK_BYTES + 100],
  ])('range %i-%i decrypts to the same bytes as the plaintext', async (start, end) => {
    const recordings = store();
    await recordings.put(join(dir, 'call.wav'), null, '2026-01-01/ranged');
    const read = await recordings.get('2026-01-01/ranged', { start, end });
    expect(read).toMatchObject({ start, end, size: wav.length });
    expect((await readAll(read!.stream)).equals(wav.subarray(start, end + 1))).toBe(true);
  });

  it('a size probe that destroys the stream unread leaves no file handle behind', async () => {
    const recordings = store();
    await recordings.put(join(dir, 'call.wav'), null, '2026-01-01/probe');
    for (let i = 0; i < 50; i++) (await recordings.get('2026-01-01/probe'))!.stream.destroy();
    const tail = await recordings.get('2026-01-01/probe', { start: wav.length - 5 });
    expect((await readAll(tail!.stream)).equals(wav.subarray(wav.length - 5))).toBe(true);
  });

  it('a flipped byte in the audio or the header fails authentication instead of yielding other audio', async () => {
    const recordings = store();
    await recordings.put(join(dir, 'call.wav'), null, '2026-01-01/tampered');
    const path = join(dir, 'store', '2026-01-01', 'tampered.wav.enc');
    const original = readFileSync(path);
    const body = Buffer.from(original);
    body[body.length - 100] ^= 1;
    writeFileSync(path, body);
    const read = await recordings.get('2026-01-01/tampered');
    await expect(readAll(read!.stream)).rejects.toBeInstanceOf(RecordingEncryptionError);
    const header = Buffer.from(original);
    const sizeAt = header.indexOf('"size":') + 7;
    header[sizeAt] = header[sizeAt] === 0x31 ? 0x32 : 0x31;
    writeFileSync(path, header);
    await expect(recordings.get('2026-01-01/tampered')).rejects.toBeInstanceOf(RecordingEncryptionError);
  });

  it('rotation: the new first key wraps new recordings, the old one still opens older ones; unknown keys are named', async () => {
    await store().put(join(dir, 'call.wav'), null, '2026-01-01/old');
    const rotated = new FilesystemRecordingStore(join(dir, 'store'), {
      keyring: parseRecordingKeys(`b:${newKey()},a:${keyA}`),
    });
    expect((await readAll((await rotated.get('2026-01-01/old'))!.stream)).equals(wav)).toBe(true);
    await rotated.put(join(dir, 'call.wav'), null, '2026-01-01/new');
    expect(readFileSync(join(dir, 'store', '2026-01-01', 'new.wav.enc')).includes('"kek":"b"')).toBe(true);
    const withoutA = new FilesystemRecordingStore(join(dir, 'store'), {
      keyring: parseRecordingKeys(`b2:${newKey()}`),
    });
    await expect(withoutA.get('2026-01-01/old')).rejects.toThrow(/encrypted with key "a"/);
    const wrongA = new FilesystemRecordingStore(join(dir, 'store'), {
      keyring: parseRecordingKeys(`a:${newKey()}`),
    });
    await expect(wrongA.get('2026-01-01/old')).rejects.toThrow(/does not unwrap/);
  });

  it('plaintext recordings from before encryption was enabled are still served and deleted', async () => {
    const plain = new FilesystemRecordingStore(join(dir, 'store'));
    await plain.put(join(dir, 'call.wav'), join(dir, 'call.json'), '2026-01-01/legacy');
    const recordings = store();
    expect((await readAll((await recordings.get('2026-01-01/legacy'))!.stream)).equals(wav)).toBe(true);
    expect(await recordings.delete('2026-01-01/legacy')).toBe(true);
    expect(existsSync(join(dir, 'store', '2026-01-01', 'legacy.wav'))).toBe(false);
    expect(existsSync(join(dir, 'store', '2026-01-01', 'legacy.json'))).toBe(false);
  });

  it('refuses malformed key configuration with the rule', () => {
    expect(parseRecordingKeys(undefined)).toBeNull();
    expect(parseRecordingKeys('')).toBeNull();
    expect(() => parseRecordingKeys('nokey')).toThrow(/"<id>:<base64 of 32 bytes>"/);
    expect(() => parseRecordingKeys(`k:${randomBytes(16).toString('base64')}`)).toThrow(/must be 32 bytes/);
    expect(() => parseRecordingKeys(`k:${newKey()},k:${newKey()}`)).toThrow(/twice/);
  });
});
