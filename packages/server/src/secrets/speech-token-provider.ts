/**
 * Microsoft Entra ID tokens for Azure AI Speech through the process's managed identity (DefaultAzureCredential),
 * in the form the Speech SDK takes for Entra ID: `aad#<resource id>#<access token>`. The Azure engine fetches one
 * at start and renews it before it expires. Needs the "Cognitive Services User" role on the Speech account (the
 * Bicep template grants it) and a custom subdomain on the account.
 *
 * Not run against Azure here (no network): tested with a fake credential at the @azure/identity boundary.
 */
import type { TokenCredential } from '@azure/identity';
import type { AzureTokenProvider } from '@hookscribe/speech';

export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

export function entraSpeechTokenProvider(
  resourceId: string,
  credential?: TokenCredential,
): AzureTokenProvider {
  let resolved: Promise<TokenCredential> | null = credential ? Promise.resolve(credential) : null;
  return {
    async getToken() {
      // loaded on first use: deployments with a key never pay for @azure/identity
      resolved ??= import('@azure/identity').then(
        ({ DefaultAzureCredential }) => new DefaultAzureCredential(),
      );
      const access = await (await resolved).getToken(COGNITIVE_SERVICES_SCOPE);
      if (!access) throw new Error('the credential returned no token for Azure AI Speech');
      return { token: `aad#${resourceId}#${access.token}`, expiresOnTimestamp: access.expiresOnTimestamp };
    },
  };
}
