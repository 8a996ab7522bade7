/**
 * Microsoft Entra ID access tokens for Azure OpenAI through the process's managed identity (DefaultAzureCredential),
 * sent as `Authorization: Bearer` on the realtime engine's WebSocket handshakes. The engine fetches one at start and
 * renews it before it expires. Needs the "Cognitive Services User" role on the Azure OpenAI account (the Bicep
 * template grants it on the resource group).
 *
 * Not run against Azure here (no network): tested with a fake credential at the @azure/identity boundary.
 */
import type { TokenCredential } from '@azure/identity';
import type { AzureTokenProvider } from '@hookscribe/speech';
import { COGNITIVE_SERVICES_SCOPE } from './speech-token-provider.js';

export function entraOpenAiTokenProvider(credential?: TokenCredential): AzureTokenProvider {
  let resolved: Promise<TokenCredential> | null = credential ? Promise.resolve(credential) : null;
  return {
    async getToken() {
      // loaded on first use: deployments with a key never pay for @azure/identity
      resolved ??= import('@azure/identity').then(
        ({ DefaultAzureCredential }) => new DefaultAzureCredential(),
      );
      const access = await (await resolved).getToken(COGNITIVE_SERVICES_SCOPE);
      if (!access) throw new Error('the credential returned no token for Azure OpenAI');
      return { token: access.token, expiresOnTimestamp: access.expiresOnTimestamp };
    },
  };
}
