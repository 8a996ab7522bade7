import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { entraOpenAiTokenProvider } from '../src/secrets/openai-token-provider.js';
import { COGNITIVE_SERVICES_SCOPE } from '../src/secrets/speech-token-provider.js';

describe('Entra ID tokens for Azure OpenAI (at the @azure/identity boundary)', () => {
  it('asks the credential for the Cognitive Services scope and returns the bare access token with its expiry', async () => {
    const scopes: (string | string[])[] = [];
    const credential: TokenCredential = {
      getToken: async (scope): Promise<AccessToken> => {
        scopes.push(scope);
        return { token: 'eyJ0eXAi', expiresOnTimestamp: 1_800_000_000_000 };
      },
    };
    await expect(entraOpenAiTokenProvider(credential).getToken()).resolves.toEqual({
      token: 'eyJ0eXAi',
      expiresOnTimestamp: 1_800_000_000_000,
    });
    expect(scopes).toEqual([COGNITIVE_SERVICES_SCOPE]);
  });

  it('rejects clearly when the credential gives no token', async () => {
    const provider = entraOpenAiTokenProvider({ getToken: async () => null });
    await expect(provider.getToken()).rejects.toThrow(/no token for Azure OpenAI/);
  });
});
