/**
 * What callPipeline tests that drive the SessionEventHub by hand need: a call's info with a given customConfig, a
 * store that accepts every write (these tests are about what reaches the engines), and call control that accepts
 * every request.
 */
import type { ConversationStore } from '@hookscribe/conversations';
import type { CallControl, CallInfo } from '../../src/session-events.js';

/** a mono PCMU Monitor call */
export function pipelineTestCall(sessionId: string, customConfig: Record<string, unknown>): CallInfo {
  return {
    sessionId,
    conversationId: '1f3e52b0-6a4e-4d53-9a8f-2b8f2e9d7c11',
    organizationId: 'd7934305-0972-4844-938e-9060eef73d05',
    correlationId: 'e160e428-53e2-487c-977d-96989bf5c99d',
    participant: { id: '6b0a5c1e-1f2b-4c8e-9d3a-0e5f6a7b8c9d', ani: '', aniName: '', dnis: '' },
    media: { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 },
    language: 'en-US',
    endpoint: '/api/v1/audiohook/ws',
    profile: 'monitor',
    isProbe: false,
    startPaused: false,
    openedAt: new Date().toISOString(),
    customConfig,
  };
}

export const acceptingStore = new Proxy({}, { get: () => () => Promise.resolve() }) as ConversationStore;

export const acceptingControl: CallControl = {
  sendEvent: () => true,
  pause: () => true,
  resume: () => true,
  disconnect: () => true,
};
