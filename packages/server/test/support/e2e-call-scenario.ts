/**
 * The issue 3/4 "done when" scenario against one running server, shared by the embedded (SQLite, in-process bus,
 * files) and the scaled (PostgreSQL, Redis, Azurite) end-to-end tests: a demo call streamed by hookscribe-sim to the
 * Transcription Connector (in real time) and to the monitor endpoint, a connection probe, then everything checked
 * through the REST and live APIs.
 */
import { parseWav } from '@hookscribe/audiohook';
import { expect } from 'vitest';
import {
  DEMO_SCRIPTS,
  LiveClient,
  apiJson,
  auth,
  demoCall,
  eventually,
  isoSeconds,
  runSim,
  wordsOf,
  type E2eServer,
} from './e2e-stack.js';

interface Segment {
  role: string;
  text: string;
  offset: number;
  duration: number;
  channel?: number;
}
interface Conversation {
  id: string;
  state: string;
  closeReason: string | null;
  transcript: Segment[];
  assist: { at: string; result: Record<string, unknown> }[];
}

const CALL = 'billing-dispute';
const CALL_SECONDS = 21.02;

/** Runs the scenario; resolves with the connector call's session id (= conversation id). */
export async function runCallScenario(server: E2eServer): Promise<string> {
  const live = new LiveClient(server);
  await live.connected;

  // --- Transcription Connector, real time
  const connector = await runSim(server, '/api/v1/voicetranscription/ws', [
    '--wav',
    demoCall(CALL),
    '--language',
    'en-US',
    '--realtime',
    '--timeout',
    '60',
  ]);
  expect(connector.violations).toEqual([]);
  expect(connector.exitCode).toBe(0);
  const finals = connector.transcripts.filter((t) => t.isFinal);
  expect(new Set(finals.map((t) => t.channelId))).toEqual(new Set([0, 1]));
  for (const t of finals) {
    expect(isoSeconds(t.offset)).toBeGreaterThanOrEqual(0);
    expect(isoSeconds(t.offset) + isoSeconds(t.duration)).toBeLessThanOrEqual(CALL_SECONDS + 0.01);
  }
  // the words came from the call: each side's recognised words overlap that side's script
  const script = DEMO_SCRIPTS[CALL]!;
  for (const [channelId, side] of [
    [0, script.customer],
    [1, script.agent],
  ] as const) {
    const heard = wordsOf(
      finals
        .filter((t) => t.channelId === channelId)
        .map((t) => t.text)
        .join(' '),
    );
    const expected = wordsOf(side);
    const overlap = [...heard].filter((w) => expected.has(w));
    expect(overlap.length, `channel ${channelId} heard ${[...heard].join(' ')}`).toBeGreaterThanOrEqual(3);
  }

  // --- monitor endpoint: transcribed and stored, nothing sent back but the protocol's own messages
  const monitor = await runSim(server, '/api/v1/audiohook/ws', [
    '--wav',
    demoCall(CALL),
    '--language',
    'en-US',
    '--fast',
    '--timeout',
    '60',
  ]);
  expect(monitor.violations).toEqual([]);
  expect(monitor.exitCode).toBe(0);
  expect(monitor.transcripts).toEqual([]);
  expect(monitor.serverMessages.event ?? 0).toBe(0);

  // --- probe: never a conversation
  const probe = await runSim(server, '/api/v1/audiohook/ws', ['--scenario', 'probe']);
  expect(probe.exitCode).toBe(0);

  // --- REST: listed, readable with both roles, every final the connector sent is stored
  const list = await eventually('both calls listed as ended', async () => {
    const { body } = await apiJson<{ items: { id: string; state: string }[] }>(server, '/api/conversations');
    const ended = body.items.filter((c) => c.state === 'ended').map((c) => c.id);
    return ended.includes(connector.sessionId) && ended.includes(monitor.sessionId) ? body : undefined;
  });
  expect(list.items.map((c) => c.id)).not.toContain(probe.sessionId);
  expect((await apiJson(server, `/api/conversations/${probe.sessionId}`)).status).toBe(404);

  const conversation = await eventually('every final stored', async () => {
    const { body } = await apiJson<Conversation>(server, `/api/conversations/${connector.sessionId}`);
    const stored = body.transcript.map((s) => s.text);
    return finals.every((f) => stored.includes(f.text)) ? body : undefined;
  });
  expect(conversation.closeReason).toBe('end');
  expect(new Set(conversation.transcript.map((s) => s.role))).toEqual(new Set(['customer', 'agent']));
  const monitored = await eventually('monitor call transcript', async () => {
    const { body } = await apiJson<Conversation>(server, `/api/conversations/${monitor.sessionId}`);
    return new Set(body.transcript.map((s) => s.role)).size === 2 ? body : undefined;
  });
  expect(monitored.state).toBe('ended');

  // --- recording: a WAV with exactly the audio the sim sent; ranges work
  const wav = await eventually('recording downloadable', async () => {
    const res = await fetch(`${server.httpUrl}/api/conversations/${connector.sessionId}/recording`, {
      headers: auth,
    });
    return res.status === 200 ? new Uint8Array(await res.arrayBuffer()) : undefined;
  });
  expect(parseWav(wav).data.byteLength).toBe(connector.audioBytesSent);
  const ranged = await fetch(`${server.httpUrl}/api/conversations/${connector.sessionId}/recording`, {
    headers: { ...auth, Range: 'bytes=0-43' },
  });
  expect(ranged.status).toBe(206);
  expect(ranged.headers.get('content-range')).toBe(`bytes 0-43/${wav.byteLength}`);
  expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(wav.slice(0, 44));

  // --- live API saw the call start, its finals and its end
  await eventually('live events of the call', () =>
    Promise.resolve(live.of(connector.sessionId, 'session_ended').length > 0 ? true : undefined),
  );
  expect(live.of(connector.sessionId, 'session_started')).toHaveLength(1);
  expect(live.of(connector.sessionId, 'transcript_available').length).toBeGreaterThanOrEqual(finals.length);
  expect(live.of(probe.sessionId)).toEqual([]);
  live.close();

  // --- assist produced results for the call
  await eventually('assist results stored', async () => {
    const { body } = await apiJson<Conversation>(server, `/api/conversations/${connector.sessionId}`);
    return body.assist.length > 0 ? body.assist : undefined;
  });
  return connector.sessionId;
}
