import { readFileSync, writeFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildWavHeader, parseWav } from '@hookscribe/audiohook';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServerMetrics } from '../src/metrics.js';
import { attachCallRecorder, recordingDirFor } from '../src/recording/call-recorder.js';
import { SessionEventHub, type CallControl, type CallInfo } from '../src/session-events.js';
import { makeTempDir } from './support/temp-dirs.js';

const silent = pino({ level: 'silent' });
const control: CallControl = {
  sendEvent: () => false,
  pause: () => false,
  resume: () => false,
  disconnect: () => false,
};

function callInfo(overrides: Partial<CallInfo> = {}): CallInfo {
  return {
    sessionId: '30b0e395-84d3-4570-ac13-9a62d8f514c0',
    conversationId: '1f3e52b0-6a4e-4d53-9a8f-2b8f2e9d7c11',
    organizationId: 'd7934305-0972-4844-938e-9060eef73d05',
    correlationId: 'e160e428-53e2-487c-977d-96989bf5c99d',
    participant: {
      id: '6b0a5c1e-1f2b-4c8e-9d3a-0e5f6a7b8c9d',
      ani: '+15555551234',
      aniName: 'Jane',
      dnis: '+1800',
    },
    media: { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
    language: 'en-US',
    endpoint: '/api/v1/audiohook/ws',
    profile: 'monitor',
    isProbe: false,
    startPaused: false,
    openedAt: '2026-11-24T03:00:00.000Z',
    customConfig: {},
    ...overrides,
  };
}

function setup(dataDir = makeTempDir('hookscribe-rec-')) {
  const metrics = new ServerMetrics();
  const hub = new SessionEventHub({ logger: silent, waitTimeoutMs: 5000 });
  attachCallRecorder(hub, { dataDir, logger: silent, metrics });
  return { hub, metrics, dataDir };
}

const openText = (id: string) => JSON.stringify({ version: '2', id, type: 'open', seq: 1 });

describe('call recorder', () => {
  it('writes a µ-law WAV of exactly the received bytes and a sidecar with every message', async () => {
    const { hub, dataDir } = setup();
    const call = callInfo();
    hub.emit('opened', { call, open: JSON.parse(openText(call.sessionId)), control, log: silent });
    const t0 = new Date('2026-11-24T03:00:00.100Z');
    hub.emit('message', { call, direction: 'in', text: openText(call.sessionId), at: t0 });
    hub.emit('message', { call, direction: 'out', text: '{"type":"opened","seq":1}', at: t0 });
    const frames = [
      new Uint8Array(3200).fill(0x11),
      new Uint8Array(1601 * 2).fill(0x22),
      new Uint8Array([1, 2]),
    ];
    let start = 0;
    for (const raw of frames) {
      hub.emit('audio', {
        call,
        channels: [],
        raw,
        mulaw: null,
        samples: raw.length / 2,
        startSample: start,
      });
      start += raw.length / 2;
    }
    hub.emit('message', { call, direction: 'in', text: 'not json {', at: t0 });
    await hub.emitAndWait('ended', { call, outcome: 'closed', atSample: start, endedAt: new Date() });

    const dir = recordingDirFor(dataDir, call.openedAt);
    expect(dir).toBe(join(dataDir, 'recordings', '2026-11-24'));
    const wav = parseWav(new Uint8Array(readFileSync(join(dir, `${call.sessionId}.wav`))));
    expect(wav.format).toBe('PCMU');
    expect(wav.channels).toBe(2);
    expect(wav.sampleRate).toBe(8000);
    expect(Buffer.from(wav.data)).toEqual(Buffer.concat(frames));
    // the header's data size equals the bytes received, not "until end of file"
    const file = readFileSync(join(dir, `${call.sessionId}.wav`));
    expect(file.readUInt32LE(54)).toBe(3200 + 3202 + 2);

    const sidecar = JSON.parse(readFileSync(join(dir, `${call.sessionId}.json`), 'utf8'));
    expect(sidecar.call).toEqual(call);
    expect(sidecar.recording).toEqual({
      wav: `${call.sessionId}.wav`,
      format: 'PCMU',
      channels: ['external', 'internal'],
      sampleRate: 8000,
    });
    expect(sidecar.messages).toEqual([
      { at: t0.toISOString(), direction: 'in', message: JSON.parse(openText(call.sessionId)) },
      { at: t0.toISOString(), direction: 'out', message: { type: 'opened', seq: 1 } },
      { at: t0.toISOString(), direction: 'in', raw: 'not json {' },
    ]);
    expect(sidecar.ended).toMatchObject({
      outcome: 'closed',
      audioFrames: 3,
      audioBytes: 6404,
      wavComplete: true,
    });
  });

  it('says when a WAV is started, and hands it over only once it is final', async () => {
    const dataDir = makeTempDir('hookscribe-rec-');
    const hub = new SessionEventHub({ logger: silent, waitTimeoutMs: 5000 });
    const seen: string[] = [];
    attachCallRecorder(hub, {
      dataDir,
      logger: silent,
      onStarted: (call) => seen.push(`started ${call.sessionId}`),
      onFinalized: (call, recording) => seen.push(`final ${call.sessionId} ${recording.audioBytes}`),
    });
    const call = callInfo();
    hub.emit('opened', { call, open: JSON.parse(openText(call.sessionId)), control, log: silent });
    expect(seen).toEqual([`started ${call.sessionId}`]);
    hub.emit('audio', {
      call,
      channels: [],
      raw: new Uint8Array(320),
      mulaw: null,
      samples: 160,
      startSample: 0,
    });
    await hub.emitAndWait('ended', { call, outcome: 'closed', atSample: 160, endedAt: new Date() });
    expect(seen).toEqual([`started ${call.sessionId}`, `final ${call.sessionId} 320`]);
  });

  it('records L16 as 16-bit PCM and pads an odd data size', async () => {
    const { hub, dataDir } = setup();
    const call = callInfo({ media: { type: 'audio', format: 'L16', channels: ['external'], rate: 8000 } });
    hub.emit('opened', { call, open: JSON.parse(openText(call.sessionId)), control, log: silent });
    hub.emit('audio', {
      call,
      channels: [],
      raw: new Uint8Array([1, 0, 2, 0, 3]),
      mulaw: null,
      samples: 2,
      startSample: 0,
    });
    await hub.emitAndWait('ended', { call, outcome: 'dropped', atSample: 2, endedAt: new Date() });
    const bytes = readFileSync(join(recordingDirFor(dataDir, call.openedAt), `${call.sessionId}.wav`));
    expect(bytes.length).toBe(44 + 5 + 1);
    const wav = parseWav(new Uint8Array(bytes));
    expect(wav).toMatchObject({ format: 'L16', channels: 1, bitsPerSample: 16 });
    expect(bytes.readUInt32LE(40)).toBe(5);
  });

  it('does not record connection probes', async () => {
    const { hub, dataDir } = setup();
    const call = callInfo({
      isProbe: true,
      media: null,
      conversationId: '00000000-0000-0000-0000-000000000000',
    });
    hub.emit('opened', { call, open: JSON.parse(openText(call.sessionId)), control, log: silent });
    hub.emit('message', { call, direction: 'in', text: '{}', at: new Date() });
    await hub.emitAndWait('ended', { call, outcome: 'closed', atSample: 0, endedAt: new Date() });
    expect(existsSync(join(dataDir, 'recordings'))).toBe(false);
  });

  it('writes only the sidecar when no media was negotiated', async () => {
    const { hub, dataDir } = setup();
    const call = callInfo({ media: null });
    hub.emit('opened', { call, open: JSON.parse(openText(call.sessionId)), control, log: silent });
    await hub.emitAndWait('ended', { call, outcome: 'closed', atSample: 0, endedAt: new Date() });
    const dir = recordingDirFor(dataDir, call.openedAt);
    expect(readdirSync(dir)).toEqual([`${call.sessionId}.json`]);
    expect(JSON.parse(readFileSync(join(dir, `${call.sessionId}.json`), 'utf8'))).toMatchObject({
      messages: [],
      ended: { audioBytes: null, wavComplete: null },
    });
  });

  it('survives a disk error: counted in the metrics, no exception reaches the call', async () => {
    const parent = makeTempDir('hookscribe-rec-');
    const notADir = join(parent, 'file');
    writeFileSync(notADir, 'x');
    const { hub, metrics } = setup(notADir);
    const call = callInfo();
    expect(() =>
      hub.emit('opened', { call, open: JSON.parse(openText(call.sessionId)), control, log: silent }),
    ).not.toThrow();
    hub.emit('audio', {
      call,
      channels: [],
      raw: new Uint8Array(8),
      mulaw: null,
      samples: 4,
      startSample: 0,
    });
    await hub.emitAndWait('ended', { call, outcome: 'closed', atSample: 0, endedAt: new Date() });
    const errors = await metrics.recordingErrors.get();
    expect(errors.values.map((v) => [v.labels.file, v.value]).sort()).toEqual([
      ['sidecar', 1],
      ['wav', 1],
    ]);
  });

  describe('during a call (what a crash can lose)', () => {
    afterEach(() => vi.useRealTimers());
    // only the recorder's flush timer is faked; file I/O and the write thread run for real
    const waitForDisk = () => new Promise((resolve) => setTimeout(resolve, 100));
    /** polls (real time, up to 5 s) until the write thread has written what is expected */
    const until = async (done: () => boolean) => {
      for (const deadline = Date.now() + 5000; !done() && Date.now() < deadline;) await waitForDisk();
    };

    it('audio reaches the disk within 2 s, protocol messages within 5 s, before the call ends', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const { hub, dataDir } = setup();
      const call = callInfo();
      hub.emit('opened', { call, open: JSON.parse(openText(call.sessionId)), control, log: silent });
      hub.emit('message', { call, direction: 'in', text: openText(call.sessionId), at: new Date() });
      hub.emit('audio', {
        call,
        channels: [],
        raw: new Uint8Array(3200).fill(0x33),
        mulaw: null,
        samples: 1600,
        startSample: 0,
      });
      const base = join(recordingDirFor(dataDir, call.openedAt), call.sessionId);
      const size = (ext: string) => (existsSync(`${base}.${ext}`) ? statSync(`${base}.${ext}`).size : 0);

      vi.advanceTimersByTime(1000);
      await waitForDisk();
      expect(size('wav')).toBe(0); // staged once: a buffer that may still fill is not written yet
      vi.advanceTimersByTime(1000);
      await until(() => size('wav') > 0);
      const header = buildWavHeader({ format: 'PCMU', channels: 2, sampleRate: 8000 }, 0).byteLength;
      expect(size('wav')).toBe(header + 3200);
      expect(size('json')).toBe(0);
      vi.advanceTimersByTime(3000);
      await until(() => size('json') > 0);
      expect(readFileSync(`${base}.json`, 'utf8')).toContain('"type":"open"');

      await hub.emitAndWait('ended', { call, outcome: 'dropped', atSample: 1600, endedAt: new Date() });
      expect(parseWav(readFileSync(`${base}.wav`)).data.length).toBe(3200);
    });
  });
});
