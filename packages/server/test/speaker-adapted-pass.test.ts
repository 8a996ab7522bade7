import {
  defaultPocketsphinxConfig,
  speakerAdaptationFor,
  transcribeRecording,
  type RecordingTranscript,
  type RecordingTranscriptionOptions,
  type SpeechEngine,
} from '@hookscribe/speech';
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { embeddedPostCallEngine } from '../src/postcall/post-call-engines.js';
import { SpeakerAdaptedPass } from '../src/postcall/speaker-adapted-pass.js';
import { espeakSpeech } from '../../speech/test/support/espeak-speech.js';
import { concat, silence, stereoRecordingWav } from '../../speech/test/support/fixtures.js';

// real decoding and sphinxtrain on 2 shared cores: allow for a loaded machine (no timing is asserted)
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const S = 8000;
const CUSTOMER = [
  'i would like to check the balance of my account please',
  'my card was declined at the store this morning',
  'can you tell me when the payment will arrive',
  'i have been waiting for a refund since last week',
];

const adaptation = {
  ...speakerAdaptationFor(),
  // a short test call; the production minimum is about the estimate's quality
  minSpeechSeconds: 5,
};

describe('SpeakerAdaptedPass (real pocketsphinx and sphinxtrain)', () => {
  let wav: Uint8Array;
  let first: RecordingTranscript;
  let recording: RecordingTranscriptionOptions;
  const engines: SpeechEngine[] = [];
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    // customer: four sentences in one voice; agent: one short phrase (too little speech to adapt on)
    const external = concat(
      silence(S),
      ...CUSTOMER.flatMap((t) => [espeakSpeech(t, 'en-gb+m3').phone, silence(S)]),
    );
    const internal = concat(silence(2 * S), espeakSpeech('one moment please').phone);
    wav = stereoRecordingWav(external, internal);
    const engine = embeddedPostCallEngine('accurate');
    engines.push(engine);
    // decoders at nice 19 on a shared machine: the flush may wait long for CPU
    recording = { engines: [engine], language: 'en-US', callId: 'call-adapt', flushTimeoutMs: 600_000 };
    first = await transcribeRecording(wav, recording);
  });
  afterAll(async () => {
    for (const engine of engines) await engine.stop();
  });

  it('re-decodes a channel with its own transform and keeps the first pass where there is too little speech', async () => {
    const used: string[] = [];
    const warps: (number | null)[] = [];
    const pass = new SpeakerAdaptedPass({
      adaptation,
      engineName: 'pocketsphinx',
      engineWith: (mllr, warp) => {
        used.push(mllr);
        warps.push(warp);
        expect(existsSync(mllr)).toBe(true);
        return embeddedPostCallEngine('accurate', mllr, false, warp);
      },
      // a threshold below this male voice (≈ 100 Hz), so the channel takes the warped path: fitted on warped
      // features by sphinx_fe, re-decoded through the same warp
      warpPolicy: { ...defaultPocketsphinxConfig().speakerWarp!, pitchThresholdHz: 50 },
    });
    const { finals, channels } = await pass.run(wav, first, recording, log);
    expect(channels.map((c) => [c.channel, c.outcome])).toEqual([
      [0, 'adapted'],
      [1, 'skipped'],
    ]);
    expect(channels[1]!.detail).toMatch(/at least 5 s needed/);
    expect(used).toHaveLength(1);
    expect(warps).toEqual([defaultPocketsphinxConfig().speakerWarp!.highPitchWarp]);
    // the transform's temp dir is gone after the re-decode
    expect(existsSync(used[0]!)).toBe(false);
    const customer = finals.filter((f) => f.channel === 0);
    expect(customer.length).toBeGreaterThan(0);
    expect(customer.every((f) => f.channelName === 'external' && f.role === 'customer')).toBe(true);
    expect(customer.map((f) => f.text).join(' ')).toMatch(/account|card|payment|refund/);
    // the agent's channel is the first pass's, untouched
    expect(finals.filter((f) => f.channel === 1)).toEqual(first.finals.filter((f) => f.channel === 1));
    // on the recording timeline, in order
    const starts = finals.map((f) => f.startSample);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('falls back to the first-pass transcript, with a warning, when the tools are missing', async () => {
    const warn = vi.spyOn(log, 'warn');
    const engineWith = vi.fn((mllr: string) => embeddedPostCallEngine('accurate', mllr));
    const pass = new SpeakerAdaptedPass({
      adaptation: { ...adaptation, sphinxtrainDir: '/nonexistent/sphinxtrain' },
      engineName: 'pocketsphinx',
      engineWith,
      warpPolicy: null,
    });
    const { finals, channels } = await pass.run(wav, first, recording, log);
    expect(channels[0]).toMatchObject({ channel: 0, outcome: 'failed' });
    expect(channels[0]!.detail).toMatch(/bw not installed/);
    expect(engineWith).not.toHaveBeenCalled();
    expect(finals).toEqual(first.finals);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ channel: 0 }),
      expect.stringMatching(/speaker adaptation failed/),
    );
  });

  it('stops with the job when it is abandoned (the abort reason, not a tool error)', async () => {
    const abort = new AbortController();
    const reason = new Error('lease lost to another worker');
    abort.abort(reason);
    const engineWith = vi.fn((mllr: string) => embeddedPostCallEngine('accurate', mllr));
    const pass = new SpeakerAdaptedPass({
      adaptation,
      engineName: 'pocketsphinx',
      engineWith,
      warpPolicy: null,
    });
    await expect(pass.run(wav, first, { ...recording, signal: abort.signal }, log)).rejects.toBe(reason);
    expect(engineWith).not.toHaveBeenCalled();
  });

  it('leaves channels another engine transcribed as they are', async () => {
    const engineWith = vi.fn((mllr: string) => embeddedPostCallEngine('accurate', mllr));
    const pass = new SpeakerAdaptedPass({ adaptation, engineName: 'azure', engineWith, warpPolicy: null });
    const { finals, channels } = await pass.run(wav, first, recording, log);
    expect(channels.every((c) => c.outcome === 'skipped')).toBe(true);
    expect(engineWith).not.toHaveBeenCalled();
    expect(finals).toEqual(first.finals);
  });
});
