/** Test doubles for the browser APIs the UI talks through: fetch (routed by path) and EventSource. */
import type { ConversationEvent, ConversationSummary, TranscriptSegment } from '../../src/api/types.js';

export type Route = (url: URL) => { status?: number; body: unknown } | undefined;

/** A fetch that answers from `route`, records requests, and checks the Bearer token. */
export function fakeFetch(route: Route, token = 'good-token') {
  const requests: URL[] = [];
  const fetchImpl = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input, 'http://hookscribe.test');
    requests.push(url);
    const auth = new Headers(init?.headers).get('authorization');
    if (auth !== `Bearer ${token}`) {
      return new Response(JSON.stringify({ error: 'unauthorized', message: 'token' }), { status: 401 });
    }
    const answer = route(url);
    if (!answer)
      return new Response(JSON.stringify({ error: 'not_found', message: 'nope' }), { status: 404 });
    const body = answer.body instanceof ArrayBuffer ? answer.body : JSON.stringify(answer.body);
    return new Response(body, { status: answer.status ?? 200 });
  };
  return { fetchImpl, requests };
}

/** Replaces the global EventSource; tests push events into the open streams. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readyState = FakeEventSource.OPEN;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private listeners = new Map<string, ((e: MessageEvent) => void)[]>();

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, listener: (e: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close() {
    this.readyState = FakeEventSource.CLOSED;
  }

  emit(event: ConversationEvent) {
    for (const l of this.listeners.get(event.type) ?? []) {
      l(new MessageEvent(event.type, { data: JSON.stringify(event), lastEventId: event.eventId }));
    }
  }

  static install() {
    FakeEventSource.instances = [];
    (globalThis as { EventSource?: unknown }).EventSource = FakeEventSource;
  }

  static open(pathPrefix: string): FakeEventSource[] {
    return FakeEventSource.instances.filter(
      (s) => s.readyState !== FakeEventSource.CLOSED && s.url.startsWith(pathPrefix),
    );
  }
}

let n = 0;
export function event<T extends ConversationEvent['type']>(
  type: T,
  conversationId: string,
  data: Extract<ConversationEvent, { type: T }>['data'],
): ConversationEvent {
  n += 1;
  return {
    schemaVersion: 1,
    eventId: `evt-${n}`,
    type,
    conversationId,
    time: new Date().toISOString(),
    data,
  } as ConversationEvent;
}

export function call(id: string, overrides: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id,
    conversationId: `gc-${id}`,
    organizationId: 'org',
    correlationId: 'corr',
    endpoint: 'monitor',
    ani: 'tel:+14155551234',
    aniName: '',
    dnis: 'tel:+18005550199',
    participantId: 'p',
    media: { format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
    language: 'en-US',
    startedAt: new Date(Date.now() - 65_000).toISOString(),
    endedAt: null,
    state: 'active',
    closeReason: null,
    recording: null,
    ...overrides,
  };
}

export function segment(
  id: string,
  role: 'customer' | 'agent',
  text: string,
  offset: number,
  isFinal: boolean,
  confidences: number[] = [],
): TranscriptSegment {
  const words = text.split(' ').map((w, i) => ({
    text: w,
    offset: offset + i * 0.4,
    duration: 0.35,
    confidence: confidences[i] ?? 0.9,
    ...(w === '[redacted]' ? { redacted: true } : {}),
  }));
  return {
    id,
    channel: role === 'customer' ? 0 : 1,
    role,
    text,
    words,
    offset,
    duration: words.length * 0.4,
    confidence: 0.9,
    isFinal,
    language: 'en-US',
    engine: 'test',
  };
}
