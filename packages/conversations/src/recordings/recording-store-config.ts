/**
 * Builds the configured RecordingStore from environment variables:
 *   HOOKSCRIBE_RECORDINGS=fs (default) | azure-blob
 *   fs:         HOOKSCRIBE_RECORDINGS_DIR (default <data dir>/recordings); HOOKSCRIBE_RECORDING_KEYS envelope-encrypts
 *               recordings at rest (recording-encryption.ts)
 *   azure-blob: HOOKSCRIBE_AZURE_STORAGE_CONNECTION_STRING, or HOOKSCRIBE_AZURE_STORAGE_ACCOUNT_URL with a credential
 *               (passed in, else DefaultAzureCredential from @azure/identity); HOOKSCRIBE_AZURE_STORAGE_CONTAINER
 *               (default recordings)
 */
import { join } from 'node:path';
import { AzureBlobRecordingStore, type BlobCredential } from './azure-blob-recording-store.js';
import { FilesystemRecordingStore } from './filesystem-recording-store.js';
import { parseRecordingKeys } from './recording-encryption.js';
import type { RecordingStore } from './recording-store.js';

export async function createRecordingStore(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  injected: { credential?: BlobCredential } = {},
): Promise<RecordingStore> {
  const kind = (env.HOOKSCRIBE_RECORDINGS ?? 'fs').trim().toLowerCase();
  const keyring = parseRecordingKeys(env.HOOKSCRIBE_RECORDING_KEYS);
  if (kind === 'fs')
    return new FilesystemRecordingStore(
      env.HOOKSCRIBE_RECORDINGS_DIR?.trim() || join(dataDir, 'recordings'),
      {
        keyring,
      },
    );
  if (kind !== 'azure-blob') throw new Error(`HOOKSCRIBE_RECORDINGS must be fs or azure-blob, not "${kind}"`);
  if (keyring !== null)
    throw new Error(
      'HOOKSCRIBE_RECORDING_KEYS encrypts the filesystem store; Azure Blob Storage encrypts at rest itself (service-side, optionally with your Key Vault key): unset it for azure-blob',
    );
  const container = env.HOOKSCRIBE_AZURE_STORAGE_CONTAINER?.trim() || 'recordings';
  const connectionString = env.HOOKSCRIBE_AZURE_STORAGE_CONNECTION_STRING?.trim();
  if (connectionString) return new AzureBlobRecordingStore({ connectionString, container });
  const accountUrl = env.HOOKSCRIBE_AZURE_STORAGE_ACCOUNT_URL?.trim();
  if (!accountUrl)
    throw new Error(
      'HOOKSCRIBE_RECORDINGS=azure-blob needs HOOKSCRIBE_AZURE_STORAGE_CONNECTION_STRING or HOOKSCRIBE_AZURE_STORAGE_ACCOUNT_URL',
    );
  let credential = injected.credential;
  if (credential === undefined) {
    const identity = '@azure/identity'; // optional: only needed for account-URL auth without an injected credential
    try {
      const module = (await import(identity)) as { DefaultAzureCredential: new () => BlobCredential };
      credential = new module.DefaultAzureCredential();
    } catch (error) {
      throw new Error(
        `HOOKSCRIBE_AZURE_STORAGE_ACCOUNT_URL needs a credential: install @azure/identity or inject one (${String(error)})`,
      );
    }
  }
  return new AzureBlobRecordingStore({ accountUrl, credential, container });
}
