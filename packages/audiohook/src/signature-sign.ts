/** Signs an AudioHook upgrade request the way Genesys does (used by the simulator and tests). */
import { serializeDictionary, serializeInnerList, type InnerList } from 'structured-headers';
import type { SignInput } from './contract.js';
import {
  AUDIOHOOK_SIGNATURE_COMPONENTS,
  SIGNATURE_ALGORITHM,
  buildSignatureBase,
  hmacSha256,
} from './signature-base.js';

export function signRequest(input: SignInput): { signatureInput: string; signature: string } {
  const label = input.label ?? 'sig1';
  const values: Record<(typeof AUDIOHOOK_SIGNATURE_COMPONENTS)[number], string> = {
    '@request-target': input.requestTarget,
    '@authority': input.authority.toLowerCase(),
    'audiohook-organization-id': input.organizationId,
    'audiohook-session-id': input.sessionId,
    'audiohook-correlation-id': input.correlationId,
    'x-api-key': input.apiKey,
  };
  const innerList: InnerList = [
    AUDIOHOOK_SIGNATURE_COMPONENTS.map((name) => [name, new Map()]),
    new Map<string, string | number>([
      ['keyid', input.apiKey],
      ['nonce', input.nonce],
      ['alg', SIGNATURE_ALGORITHM],
      ['created', input.created],
      ['expires', input.expires],
    ]),
  ];
  const base = buildSignatureBase(
    AUDIOHOOK_SIGNATURE_COMPONENTS.map((name) => [name, values[name]] as const),
    serializeInnerList(innerList),
  );
  const mac = hmacSha256(input.secret, base);
  return {
    signatureInput: serializeDictionary(new Map([[label, innerList]])),
    signature: serializeDictionary(new Map([[label, [mac, new Map()]]])),
  };
}
