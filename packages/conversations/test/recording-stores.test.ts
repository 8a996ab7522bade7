import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AzureBlobRecordingStore, FilesystemRecordingStore } from '../src/index.js';
import { describeRecordingStoreContract } from './recording-contract.js';
import { startAzurite } from './support/services-azurite.js';

describeRecordingStoreContract('filesystem', async () => {
  const root = mkdtempSync(join(tmpdir(), 'hookscribe-rec-'));
  return {
    store: new FilesystemRecordingStore(root),
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
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
