import { describe, expect, it } from 'vitest';
import {
  KeyVaultSecretsError,
  loadKeyVaultSecrets,
  type SecretReader,
} from '../src/secrets/key-vault-secrets.js';

function fakeVault(
  secrets: Record<string, string>,
  failing: Record<string, Error> = {},
): SecretReader & {
  asked: string[];
} {
  const asked: string[] = [];
  return {
    asked,
    getSecret: (async (name: string) => {
      asked.push(name);
      if (failing[name]) throw failing[name];
      if (!(name in secrets)) throw Object.assign(new Error('not found'), { statusCode: 404 });
      return { name, value: secrets[name], properties: { name, vaultUrl: 'https://kv.example' } };
    }) as SecretReader['getSecret'],
  };
}

describe('Key Vault secrets (SDK boundary: fake SecretClient)', () => {
  it('does nothing without HOOKSCRIBE_KEY_VAULT_URL', async () => {
    const vault = fakeVault({ 'audiohook-keys': '{"k":""}' });
    expect(await loadKeyVaultSecrets({}, vault)).toEqual([]);
    expect(vault.asked).toEqual([]);
  });

  it('maps vault secrets onto their variables; missing secrets are skipped', async () => {
    const env: NodeJS.ProcessEnv = { HOOKSCRIBE_KEY_VAULT_URL: 'https://kv.example' };
    const loaded = await loadKeyVaultSecrets(
      env,
      fakeVault({ 'audiohook-keys': '{"key":"c2VjcmV0"}', 'api-tokens': 'a,b' }),
    );
    expect(loaded.sort()).toEqual(['HOOKSCRIBE_API_TOKENS', 'HOOKSCRIBE_AUDIOHOOK_KEYS']);
    expect(env.HOOKSCRIBE_AUDIOHOOK_KEYS).toBe('{"key":"c2VjcmV0"}');
    expect(env.HOOKSCRIBE_API_TOKENS).toBe('a,b');
    expect(env.HOOKSCRIBE_POSTGRES_URL).toBeUndefined();
  });

  it('keeps a variable already set in the environment (local override wins)', async () => {
    const env: NodeJS.ProcessEnv = {
      HOOKSCRIBE_KEY_VAULT_URL: 'https://kv.example',
      HOOKSCRIBE_API_TOKENS: 'local',
    };
    const vault = fakeVault({ 'api-tokens': 'from-vault' });
    await loadKeyVaultSecrets(env, vault);
    expect(env.HOOKSCRIBE_API_TOKENS).toBe('local');
    expect(vault.asked).not.toContain('api-tokens');
  });

  it('stops the start with a clear error when the vault refuses access', async () => {
    const env: NodeJS.ProcessEnv = { HOOKSCRIBE_KEY_VAULT_URL: 'https://kv.example' };
    const denied = Object.assign(new Error('Forbidden by RBAC'), { statusCode: 403 });
    await expect(loadKeyVaultSecrets(env, fakeVault({}, { 'audiohook-keys': denied }))).rejects.toThrow(
      KeyVaultSecretsError,
    );
    await expect(loadKeyVaultSecrets(env, fakeVault({}, { 'audiohook-keys': denied }))).rejects.toThrow(
      /audiohook-keys.*Forbidden by RBAC/,
    );
  });
});
