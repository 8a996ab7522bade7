/** The AudioHook WebSocket endpoints and the protocol profile each serves. */
import type { EndpointProfile } from './session-events.js';

export interface AudiohookEndpoint {
  path: string;
  profile: EndpointProfile;
}

export const AUDIOHOOK_ENDPOINTS: readonly AudiohookEndpoint[] = [
  { path: '/api/v1/audiohook/ws', profile: 'monitor' },
  { path: '/api/v1/voicetranscription/ws', profile: 'transcription' },
  // the seed's path, kept as an alias of Monitor
  { path: '/audiohook/ws', profile: 'monitor' },
];

/** Matches the path part of a raw request target exactly (any query string is allowed and ignored here). */
export function endpointForTarget(requestTarget: string): AudiohookEndpoint | undefined {
  const query = requestTarget.indexOf('?');
  const path = query === -1 ? requestTarget : requestTarget.slice(0, query);
  return AUDIOHOOK_ENDPOINTS.find((endpoint) => endpoint.path === path);
}
