/** Shared protocol fixtures for the tests (digest §4.1 example values). */
export const SESSION_ID = '30b0e395-84d3-4570-ac13-9a62d8f514c0';
export const ORG_ID = 'd7934305-0972-4844-938e-9060eef73d05';
export const CONVERSATION_ID = '1f3e52b0-6a4e-4d53-9a8f-2b8f2e9d7c11';
export const NIL = '00000000-0000-0000-0000-000000000000';

export const STEREO = {
  type: 'audio',
  format: 'PCMU',
  channels: ['external', 'internal'],
  rate: 8000,
} as const;
export const EXTERNAL = { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 } as const;
export const INTERNAL = { type: 'audio', format: 'PCMU', channels: ['internal'], rate: 8000 } as const;

export function clientMessage(
  type: string,
  seq: number,
  parameters: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    version: '2',
    id: SESSION_ID,
    type,
    seq,
    serverseq: 0,
    position: 'PT0S',
    parameters,
    ...extra,
  });
}

export function openParameters(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organizationId: ORG_ID,
    conversationId: CONVERSATION_ID,
    participant: {
      id: '6b0a5c1e-1f2b-4c8e-9d3a-0e5f6a7b8c9d',
      ani: '+15555551234',
      aniName: 'Jane',
      dnis: '+1800',
    },
    media: [STEREO, EXTERNAL, INTERNAL],
    language: 'en-US',
    ...overrides,
  };
}

/** A valid final transcript entity (digest §8.3), for tests that need some `event` content. */
export function transcriptEntity(text = 'hello', channelId = 0) {
  return {
    type: 'transcript',
    data: {
      id: '5d1c2b7e-3f0a-4c1e-9b8d-7a6f5e4d3c2b',
      channelId,
      isFinal: true,
      offset: 'PT1S',
      duration: 'PT0.5S',
      alternatives: [
        {
          confidence: 0.9,
          languages: ['en-US'],
          interpretations: [
            {
              type: 'display',
              transcript: text,
              tokens: [{ type: 'word', value: text, confidence: 0.9, offset: 'PT1S', duration: 'PT0.5S' }],
            },
          ],
        },
      ],
    },
  } as const;
}
