/**
 * Per-call hot paths of the protocol library: what every audio frame, ping and upgrade costs.
 * Run: npx vitest bench --run packages/audiohook   (wall time; on a shared machine expect noise)
 */
import { bench, describe } from 'vitest';
import {
  ClientSession,
  ServerSession,
  decodeFrame,
  decodeClientSecret,
  mulawEncode,
  splitMulawFrame,
  signRequest,
  verifyRequestSignature,
} from '../src/index.js';

const SID = '30b0e395-84d3-4570-ac13-9a62d8f514c0';
const ORG = 'd7934305-0972-4844-938e-9060eef73d05';
const STEREO_PCMU = { format: 'PCMU', channels: ['external', 'internal'] } as const;
const STEREO_L16 = { format: 'L16', channels: ['external', 'internal'] } as const;
const pcmuFrame = new Uint8Array(3200).fill(0x55); // 200 ms stereo PCMU
const l16Frame = new Uint8Array(6400).fill(0x03); // 200 ms stereo L16

function openPair() {
  const server = new ServerSession({
    nowMs: () => performance.now(),
    sessionId: SID,
    organizationId: ORG,
    profile: 'monitor',
    supportedLanguages: [],
    pauseOnUnsupportedLanguage: false,
  });
  const client = new ClientSession({
    sessionId: SID,
    organizationId: ORG,
    conversationId: '1f3e52b0-6a4e-4d53-9a8f-2b8f2e9d7c11',
    participant: { id: ORG, ani: '', aniName: '', dnis: '' },
    media: [{ type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 }],
  });
  for (const text of server.receiveText(client.open()).send) client.receiveText(text);
  return { server, client };
}

describe('audio', () => {
  bench('decodeFrame 200 ms stereo PCMU', () => void decodeFrame(pcmuFrame, STEREO_PCMU));
  bench('decodeFrame 200 ms stereo L16', () => void decodeFrame(l16Frame, STEREO_L16));
  const { server } = openPair();
  bench('ServerSession.receiveBinary 200 ms stereo PCMU', () => void server.receiveBinary(pcmuFrame));
  // what the realtime engine's µ-law costs per frame: de-interleaving (issue 17) vs decode + re-encode (before)
  bench('splitMulawFrame 200 ms stereo PCMU', () => void splitMulawFrame(pcmuFrame, STEREO_PCMU));
  bench('decodeFrame + mulawEncode per channel, 200 ms stereo PCMU', () => {
    for (const channel of decodeFrame(pcmuFrame, STEREO_PCMU)) mulawEncode(channel);
  });
});

describe('control', () => {
  const { server, client } = openPair();
  bench('ping → pong (server + client validation)', () => {
    for (const text of server.receiveText(client.ping()).send) client.receiveText(text);
  });
  const secret = decodeClientSecret('TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=');
  const now = 1_700_000_000;
  const sig = signRequest({
    requestTarget: '/api/v1/audiohook/ws',
    authority: 'hook.example.com',
    organizationId: ORG,
    sessionId: SID,
    correlationId: 'e160e428-53e2-487c-977d-96989bf5c99d',
    apiKey: 'key',
    secret,
    nonce: 'VGhpc0lzQVVuaXF1ZU5vbmNl',
    created: now,
    expires: now + 30,
  });
  bench('verifyRequestSignature', () => {
    verifyRequestSignature({
      requestTarget: '/api/v1/audiohook/ws',
      authority: 'hook.example.com',
      headers: {
        'audiohook-organization-id': ORG,
        'audiohook-session-id': SID,
        'audiohook-correlation-id': 'e160e428-53e2-487c-977d-96989bf5c99d',
        'x-api-key': 'key',
        'signature-input': sig.signatureInput,
        signature: sig.signature,
      },
      secretForKey: () => secret,
      nowSeconds: now,
      randomBytes: (n) => new Uint8Array(n),
    });
  });
});
