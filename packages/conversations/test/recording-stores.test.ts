import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { AzureBlobRecordingStore, FilesystemRecordingStore, parseRecordingKeys } from '../src/index.js';
import { describeRecordingStoreContract } from './recording-contract.js';
import { startAzurite } from './support/services-azurite.js';

describeRecordingStoreContract('filesystem', async () => {
  const root = mkdtempSync(join(tmpdir(), 'hookscribe-rec-'));
  return {
    store: new FilesystemRecordingStore(root),
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
});

describeRecordingStoreContract('filesystem, encrypted at rest', async () => {
  const root = mkdtempSync(join(tmpdir(), 'hookscribe-rec-enc-'));
  const keyring = parseRecordingKeys(`k1:${randomBytes(32).toString('base64')}`);
  return {
    store: new FilesystemRecordingStore(root, { keyring }),
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
});

describe('filesystem store, recording already in place', () => {
  it('keeps the file where the recorder wrote it and reports its size without hashing (md5 null)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hookscribe-rec-inplace-'));
    try {
      const store = new FilesystemRecordingStore(root);
      const key = '2026-11-24/3fa85f64-5717-4562-b3fc-2c963f66afa6';
      mkdirSync(join(root, '2026-11-24'));
      const wav = store.localPath(key, 'audio');
      writeFileSync(wav, Buffer.alloc(1044, 1));
      writeFileSync(store.localPath(key, 'sidecar'), '{}');
      const stored = await store.put(wav, store.localPath(key, 'sidecar'), key);
      expect(stored).toMatchObject({ bytes: 1044, md5: null });
      expect(readFileSync(wav)).toEqual(Buffer.alloc(1044, 1));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describeRecordingStoreContract('Azure Blob on Azurite', async () => {
  const azurite = await startAzurite();
  return {
    store: new AzureBlobRecordingStore({
      connectionString: azurite.connectionString,
      container: 'recordings',
    }),
    cleanup: () => azurite.destroy(),
  };
});

describe('Azure Blob health', () => {
  it('is degraded with the reason while storage is unreachable, and ok again after', async () => {
    const azurite = await startAzurite();
    try {
      const store = new AzureBlobRecordingStore({
        connectionString: azurite.connectionString,
        container: 'recordings',
        pipeline: { retryOptions: { maxTries: 1 } },
      });
      expect((await store.health()).status).toBe('ok');
      await azurite.stop();
      const down = await store.health();
      expect(down.status).toBe('degraded');
      expect(down.detail).toMatch(/Blob storage unreachable/);
      await azurite.start();
      expect((await store.health()).status).toBe('ok');
    } finally {
      await azurite.destroy();
    }
  });
});
