/**
 * Development credentials: when HOOKSCRIBE_AUDIOHOOK_KEYS is not set, one API key + secret pair is generated into
 * `<dataDir>/dev-audiohook-key.json` on first start and reused afterwards, so the quick start needs no setup.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AudiohookKeys } from './config.js';

export const DEV_KEY_FILE = 'dev-audiohook-key.json';

export interface DevAudiohookKey {
  apiKey: string;
  /** base64 client secret, as entered in the Genesys integration */
  secret: string;
  path: string;
  created: boolean;
}

function isDevKey(value: unknown): value is { apiKey: string; secret: string } {
  const v = value as { apiKey?: unknown; secret?: unknown } | null;
  return typeof v?.apiKey === 'string' && v.apiKey.length > 0 && typeof v.secret === 'string';
}

export async function loadOrCreateDevAudiohookKey(dataDir: string): Promise<DevAudiohookKey> {
  const path = join(dataDir, DEV_KEY_FILE);
  try {
    const stored: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (!isDevKey(stored))
      throw new Error(`${path} does not hold {"apiKey", "secret"}; delete it to regenerate`);
    return { apiKey: stored.apiKey, secret: stored.secret, path, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = {
    apiKey: `dev-${randomBytes(12).toString('hex')}`,
    secret: randomBytes(32).toString('base64'),
  };
  await mkdir(dataDir, { recursive: true });
  // wx: never overwrite a key another process created meanwhile; 0600: the secret is a credential
  try {
    await writeFile(path, `${JSON.stringify(key, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateDevAudiohookKey(dataDir);
    throw err;
  }
  return { ...key, path, created: true };
}

export function devKeysOf(key: DevAudiohookKey): AudiohookKeys {
  return { [key.apiKey]: key.secret };
}
