import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { COGNITIVE_SERVICES_SCOPE, entraSpeechTokenProvider } from '../src/secrets/speech-token-provider.js';

describe('Entra ID tokens for Azure AI Speech (at the @azure/identity boundary)', () => {
  it('asks the credential for the Cognitive Services scope and returns aad#<resource id>#<token> with its expiry', async () => {
    const scopes: (string | string[])[] = [];
    const credential: TokenCredential = {
      getToken: async (scope): Promise<AccessToken> => {
        scopes.push(scope);
        return { token: 'eyJ0eXAi', expiresOnTimestamp: 1_800_000_000_000 };
      },
    };
    const resourceId = '/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a';
    const provider = entraSpeechTokenProvider(resourceId, credential);
    await expect(provider.getToken()).resolves.toEqual({
      token: `aad#${resourceId}#eyJ0eXAi`,
      expiresOnTimestamp: 1_800_000_000_000,
    });
    expect(scopes).toEqual([COGNITIVE_SERVICES_SCOPE]);
  });

  it('rejects clearly when the credential gives no token', async () => {
    const provider = entraSpeechTokenProvider('/r', { getToken: async () => null });
    await expect(provider.getToken()).rejects.toThrow(/no token for Azure AI Speech/);
  });
});
