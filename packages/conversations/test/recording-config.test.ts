import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AzureBlobRecordingStore, FilesystemRecordingStore, createRecordingStore } from '../src/index.js';

describe('createRecordingStore (HOOKSCRIBE_RECORDINGS)', () => {
  it('defaults to the filesystem under the data dir, or HOOKSCRIBE_RECORDINGS_DIR', async () => {
    const store = await createRecordingStore({}, '/data');
    expect(store).toBeInstanceOf(FilesystemRecordingStore);
    expect((store as FilesystemRecordingStore).root).toBe(join('/data', 'recordings'));
    const custom = await createRecordingStore({ HOOKSCRIBE_RECORDINGS_DIR: '/srv/rec' }, '/data');
    expect((custom as FilesystemRecordingStore).root).toBe('/srv/rec');
  });

  it('azure-blob with a connection string, or an account URL with an injected credential', async () => {
    const byString = await createRecordingStore(
      {
        HOOKSCRIBE_RECORDINGS: 'azure-blob',
        HOOKSCRIBE_AZURE_STORAGE_CONNECTION_STRING:
          'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;',
      },
      '/data',
    );
    expect(byString).toBeInstanceOf(AzureBlobRecordingStore);
    const credential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) };
    const byUrl = await createRecordingStore(
      { HOOKSCRIBE_RECORDINGS: 'azure-blob', HOOKSCRIBE_AZURE_STORAGE_ACCOUNT_URL: 'https://127.0.0.1:1' },
      '/data',
      { credential },
    );
    expect(byUrl).toBeInstanceOf(AzureBlobRecordingStore);
  });

  it('HOOKSCRIBE_RECORDING_KEYS encrypts the filesystem store, and is refused for azure-blob', async () => {
    const key = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
    const store = await createRecordingStore({ HOOKSCRIBE_RECORDING_KEYS: key }, '/data');
    expect((store as FilesystemRecordingStore).encrypted).toBe(true);
    expect((await createRecordingStore({}, '/data')) as FilesystemRecordingStore).toMatchObject({
      encrypted: false,
    });
    await expect(
      createRecordingStore(
        {
          HOOKSCRIBE_RECORDINGS: 'azure-blob',
          HOOKSCRIBE_AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
          HOOKSCRIBE_RECORDING_KEYS: key,
        },
        '/data',
      ),
    ).rejects.toThrow(/Azure Blob Storage encrypts at rest itself/);
    await expect(createRecordingStore({ HOOKSCRIBE_RECORDING_KEYS: 'k1:short' }, '/data')).rejects.toThrow(
      /must be 32 bytes/,
    );
  });

  it('names what is missing or wrong', async () => {
    await expect(createRecordingStore({ HOOKSCRIBE_RECORDINGS: 'azure-blob' }, '/data')).rejects.toThrow(
      /needs HOOKSCRIBE_AZURE_STORAGE_CONNECTION_STRING or HOOKSCRIBE_AZURE_STORAGE_ACCOUNT_URL/,
    );
    await expect(createRecordingStore({ HOOKSCRIBE_RECORDINGS: 's3' }, '/data')).rejects.toThrow(
      'HOOKSCRIBE_RECORDINGS must be fs or azure-blob, not "s3"',
    );
  });
});
