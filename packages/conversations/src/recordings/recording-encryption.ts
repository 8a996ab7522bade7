/**
 * Envelope encryption of recordings at rest: each file gets its own random 256-bit data key, used with AES-256-GCM
 * in fixed-size chunks so any byte range can be decrypted without reading the rest (HTTP Range playback). The data
 * key is wrapped (AES-256-GCM) by a key-encryption key from configuration (HOOKSCRIBE_RECORDING_KEYS, which Key Vault
 * can supply); only the wrapped key is stored, in the file's header. Deleting the file destroys its only key copy.
 *
 * Layout (integers big-endian):
 *   magic "HSREC\x00\x01\x00" (8) | header length u32 | header JSON (UTF-8) | chunk 0 | chunk 1 | …
 *   header JSON: { kek: key id, wrapped: base64(iv 12 | data key ciphertext 32 | tag 16), chunk: chunk size,
 *                  size: plaintext bytes, nonce: base64 8-byte nonce prefix }
 *   chunk i: AES-256-GCM(data key, iv = nonce prefix | u32 i, aad = header bytes | u32 i | u8 last) ciphertext | tag 16
 * The header is the associated data of every chunk and of the key wrap, so changing any header field, reordering
 * chunks or cutting the file short fails authentication instead of yielding wrong audio.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

export const ENCRYPTED_RECORDING_MAGIC = Buffer.from('HSREC\x00\x01\x00', 'latin1');
const TAG_BYTES = 16;
const IV_BYTES = 12;
export const DEFAULT_CHUNK_BYTES = 64 * 1024;

/** A key-encryption key: 32 bytes and the id recorded in each file it wraps (for rotation). */
export interface RecordingKey {
  id: string;
  key: Buffer;
}

/** The keys in force: `current` wraps new recordings; every key in `keys` (current included) can unwrap. */
export interface RecordingKeyring {
  current: RecordingKey;
  keys: ReadonlyMap<string, RecordingKey>;
}

export class RecordingEncryptionError extends Error {
  override name = 'RecordingEncryptionError';
}

interface EncryptedHeader {
  kek: string;
  wrapped: string;
  chunk: number;
  size: number;
  nonce: string;
}

/**
 * Parse HOOKSCRIBE_RECORDING_KEYS: comma-separated `id:base64` (32 bytes each), the first wraps new recordings,
 * the others only unwrap (rotation). Unset or empty = no encryption (null).
 */
export function parseRecordingKeys(value: string | undefined): RecordingKeyring | null {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const keys = new Map<string, RecordingKey>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
      throw new RecordingEncryptionError(
        'HOOKSCRIBE_RECORDING_KEYS: each key is "<id>:<base64 of 32 bytes>", id of letters, digits, . _ -',
      );
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32)
      throw new RecordingEncryptionError(
        `HOOKSCRIBE_RECORDING_KEYS: key "${id}" must be 32 bytes in base64 (openssl rand -base64 32)`,
      );
    if (keys.has(id)) throw new RecordingEncryptionError(`HOOKSCRIBE_RECORDING_KEYS: key id "${id}" twice`);
    keys.set(id, { id, key });
  }
  return { current: keys.values().next().value!, keys };
}

function chunkIv(noncePrefix: Buffer, index: number): Buffer {
  const iv = Buffer.alloc(IV_BYTES);
  noncePrefix.copy(iv, 0, 0, 8);
  iv.writeUInt32BE(index, 8);
  return iv;
}

function chunkAad(header: Buffer, index: number, last: boolean): Buffer {
  const suffix = Buffer.alloc(5);
  suffix.writeUInt32BE(index, 0);
  suffix.writeUInt8(last ? 1 : 0, 4);
  return Buffer.concat([header, suffix]);
}

function chunkCount(size: number, chunk: number): number {
  return Math.max(1, Math.ceil(size / chunk));
}

/** Encrypt `sourcePath` into `destinationPath` (which must not be the same file). */
export async function encryptRecordingFile(
  sourcePath: string,
  destinationPath: string,
  keyring: RecordingKeyring,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): Promise<{ bytes: number }> {
  const source = await open(sourcePath, 'r');
  let destination: FileHandle | null = null;
  try {
    const size = (await source.stat()).size;
    const dataKey = randomBytes(32);
    const noncePrefix = randomBytes(8);
    const wrapIv = randomBytes(IV_BYTES);
    // the wrap is bound to everything else in the header: its AAD is the header without the wrapped key
    const bound = { kek: keyring.current.id, chunk: chunkBytes, size, nonce: noncePrefix.toString('base64') };
    const wrapper = createCipheriv('aes-256-gcm', keyring.current.key, wrapIv);
    wrapper.setAAD(Buffer.from(JSON.stringify(bound)));
    const wrapped = Buffer.concat([wrapIv, wrapper.update(dataKey), wrapper.final(), wrapper.getAuthTag()]);
    const header: EncryptedHeader = { ...bound, wrapped: wrapped.toString('base64') };
    const headerBytes = Buffer.from(JSON.stringify(header));
    const prefix = Buffer.alloc(12);
    ENCRYPTED_RECORDING_MAGIC.copy(prefix, 0);
    prefix.writeUInt32BE(headerBytes.length, 8);
    destination = await open(destinationPath, 'w', 0o600);
    let position = 0;
    const write = async (bytes: Buffer) => {
      await destination!.write(bytes, 0, bytes.length, position);
      position += bytes.length;
    };
    await write(Buffer.concat([prefix, headerBytes]));
    const count = chunkCount(size, chunkBytes);
    const plain = Buffer.alloc(chunkBytes);
    for (let index = 0; index < count; index++) {
      const { bytesRead } = await source.read(plain, 0, chunkBytes, index * chunkBytes);
      const cipher = createCipheriv('aes-256-gcm', dataKey, chunkIv(noncePrefix, index));
      cipher.setAAD(chunkAad(headerBytes, index, index === count - 1));
      await write(
        Buffer.concat([cipher.update(plain.subarray(0, bytesRead)), cipher.final(), cipher.getAuthTag()]),
      );
    }
    await destination.sync();
    dataKey.fill(0);
    return { bytes: size };
  } finally {
    await source.close();
    await destination?.close();
  }
}

/** An opened encrypted recording: its plaintext size and a reader of plaintext byte ranges. */
export interface EncryptedRecording {
  size: number;
  /** plaintext bytes start..end (inclusive) as a stream; decrypts only the chunks the range touches */
  read(start: number, end: number): Readable;
  close(): Promise<void>;
}

/** True when the file starts with the encrypted-recording magic. */
export async function isEncryptedRecording(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const probe = Buffer.alloc(ENCRYPTED_RECORDING_MAGIC.length);
    const { bytesRead } = await file.read(probe, 0, probe.length, 0);
    return bytesRead === probe.length && probe.equals(ENCRYPTED_RECORDING_MAGIC);
  } finally {
    await file.close();
  }
}

export async function openEncryptedRecording(
  path: string,
  keyring: RecordingKeyring,
): Promise<EncryptedRecording> {
  const file = await open(path, 'r');
  try {
    const prefix = Buffer.alloc(12);
    await file.read(prefix, 0, 12, 0);
    if (!prefix.subarray(0, 8).equals(ENCRYPTED_RECORDING_MAGIC))
      throw new RecordingEncryptionError(`${path} is not an encrypted recording`);
    const headerLength = prefix.readUInt32BE(8);
    if (headerLength > 4096) throw new RecordingEncryptionError(`${path}: header too large`);
    const headerBytes = Buffer.alloc(headerLength);
    await file.read(headerBytes, 0, headerLength, 12);
    const header = JSON.parse(headerBytes.toString('utf8')) as EncryptedHeader;
    const kek = keyring.keys.get(header.kek);
    if (kek === undefined)
      throw new RecordingEncryptionError(
        `${path} is encrypted with key "${header.kek}", which is not in HOOKSCRIBE_RECORDING_KEYS`,
      );
    const wrapped = Buffer.from(header.wrapped, 'base64');
    let dataKey: Buffer;
    try {
      const unwrapper = createDecipheriv('aes-256-gcm', kek.key, wrapped.subarray(0, IV_BYTES));
      const { wrapped: _wrapped, ...bound } = header;
      unwrapper.setAAD(Buffer.from(JSON.stringify(bound)));
      unwrapper.setAuthTag(wrapped.subarray(IV_BYTES + 32));
      dataKey = Buffer.concat([
        unwrapper.update(wrapped.subarray(IV_BYTES, IV_BYTES + 32)),
        unwrapper.final(),
      ]);
    } catch (error) {
      throw new RecordingEncryptionError(
        `${path}: the data key does not unwrap (wrong key or altered header)`,
        {
          cause: error,
        },
      );
    }
    const dataStart = 12 + headerLength;
    const count = chunkCount(header.size, header.chunk);
    const noncePrefix = Buffer.from(header.nonce, 'base64');
    const decryptChunk = async (index: number): Promise<Buffer> => {
      const plainLength = index === count - 1 ? header.size - index * header.chunk : header.chunk;
      const sealed = Buffer.alloc(plainLength + TAG_BYTES);
      const { bytesRead } = await file.read(
        sealed,
        0,
        sealed.length,
        dataStart + index * (header.chunk + TAG_BYTES),
      );
      if (bytesRead !== sealed.length)
        throw new RecordingEncryptionError(`${path}: chunk ${index} is cut short`);
      const decipher = createDecipheriv('aes-256-gcm', dataKey, chunkIv(noncePrefix, index));
      decipher.setAAD(chunkAad(headerBytes, index, index === count - 1));
      decipher.setAuthTag(sealed.subarray(plainLength));
      try {
        return Buffer.concat([decipher.update(sealed.subarray(0, plainLength)), decipher.final()]);
      } catch (error) {
        throw new RecordingEncryptionError(`${path}: chunk ${index} fails authentication`, { cause: error });
      }
    };
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      dataKey.fill(0);
      await file.close();
    };
    return {
      size: header.size,
      read(start, end) {
        async function* chunks(): AsyncGenerator<Buffer> {
          try {
            if (header.size === 0) return;
            for (
              let index = Math.floor(start / header.chunk);
              index <= Math.floor(end / header.chunk);
              index++
            ) {
              const plain = await decryptChunk(index);
              const from = Math.max(0, start - index * header.chunk);
              const to = Math.min(plain.length, end - index * header.chunk + 1);
              yield plain.subarray(from, to);
            }
          } finally {
            await close();
          }
        }
        const stream = Readable.from(chunks(), { objectMode: false });
        // destroyed before the first read (e.g. a size probe), the generator never runs its finally
        stream.once('close', () => void close());
        return stream;
      },
      close,
    };
  } catch (error) {
    await file.close();
    throw error;
  }
}
