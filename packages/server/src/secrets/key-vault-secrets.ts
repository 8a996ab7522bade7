/**
 * Secrets from Azure Key Vault: when HOOKSCRIBE_KEY_VAULT_URL is set, the server reads the secrets below at start
 * (managed identity / DefaultAzureCredential) and exposes each as its environment variable before the configuration
 * is validated. A variable already set in the environment wins, so local overrides stay possible. A secret missing
 * from the vault is skipped; any other failure stops the start with a clear message (no half-configured server).
 */
import type { SecretClient } from '@azure/keyvault-secrets';

/** Key Vault secret name → the variable it provides. */
export const KEY_VAULT_SECRETS: Readonly<Record<string, string>> = {
  'audiohook-keys': 'HOOKSCRIBE_AUDIOHOOK_KEYS',
  'api-tokens': 'HOOKSCRIBE_API_TOKENS',
  'postgres-url': 'HOOKSCRIBE_POSTGRES_URL',
  'redis-url': 'HOOKSCRIBE_REDIS_URL',
  'azure-storage-connection-string': 'HOOKSCRIBE_AZURE_STORAGE_CONNECTION_STRING',
  'azure-speech-key': 'HOOKSCRIBE_AZURE_SPEECH_KEY',
  'openai-stt-key': 'HOOKSCRIBE_OPENAI_STT_KEY',
  'realtime-key': 'HOOKSCRIBE_REALTIME_KEY',
  'llm-key': 'HOOKSCRIBE_LLM_KEY',
  'webhook-secret': 'HOOKSCRIBE_WEBHOOK_SECRET',
  'eventhubs-connection-string': 'HOOKSCRIBE_EVENTHUBS_CONNECTION_STRING',
  'cosmos-key': 'HOOKSCRIBE_COSMOS_KEY',
  'oidc-client-secret': 'HOOKSCRIBE_OIDC_CLIENT_SECRET',
  'session-secret': 'HOOKSCRIBE_SESSION_SECRET',
};

/** The slice of SecretClient used here (tests pass a fake). */
export type SecretReader = Pick<SecretClient, 'getSecret'>;

export class KeyVaultSecretsError extends Error {
  override name = 'KeyVaultSecretsError';
}

async function defaultClient(vaultUrl: string): Promise<SecretReader> {
  const [{ SecretClient }, { DefaultAzureCredential }] = await Promise.all([
    import('@azure/keyvault-secrets'),
    import('@azure/identity'),
  ]);
  return new SecretClient(vaultUrl, new DefaultAzureCredential());
}

function isNotFound(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: string };
  return e?.statusCode === 404 || e?.code === 'SecretNotFound';
}

/**
 * Fills `env` from the vault named by env.HOOKSCRIBE_KEY_VAULT_URL. Returns the variables it set (never values).
 */
export async function loadKeyVaultSecrets(env: NodeJS.ProcessEnv, client?: SecretReader): Promise<string[]> {
  const vaultUrl = env.HOOKSCRIBE_KEY_VAULT_URL?.trim();
  if (!vaultUrl) return [];
  const reader = client ?? (await defaultClient(vaultUrl));
  const loaded: string[] = [];
  for (const [secretName, variable] of Object.entries(KEY_VAULT_SECRETS)) {
    if (env[variable]?.trim()) continue;
    let value: string | undefined;
    try {
      value = (await reader.getSecret(secretName)).value;
    } catch (err) {
      if (isNotFound(err)) continue;
      throw new KeyVaultSecretsError(
        `HOOKSCRIBE_KEY_VAULT_URL: reading secret "${secretName}" from ${vaultUrl} failed: ${(err as Error).message}`,
      );
    }
    if (value !== undefined && value !== '') {
      env[variable] = value;
      loaded.push(variable);
    }
  }
  return loaded;
}
