import { describe, expect, it } from 'vitest';
import { ScriptedEngine } from '../src/engines/scripted-engine.js';
import { PocketsphinxEngine } from '../src/pocketsphinx/engine.js';
import { RecordingTranscriptionError, transcribeRecording } from '../src/pipeline/recording-transcriber.js';
import { espeakSpeech } from './support/espeak-speech.js';
import { concat, noise, silence, stereoRecordingWav } from './support/fixtures.js';

const S = 8000;

const burst = () => noise(S / 2, -12);

describe('transcribeRecording', () => {
  it('transcribes both channels of a recording, on the recording timeline, each utterance once', async () => {
    // customer: two words at 1 s; agent: one word at 3 s
    const external = concat(silence(S), burst(), silence(S / 2), burst(), silence(3 * S));
    const internal = concat(silence(3 * S), burst(), silence(2 * S));
    const result = await transcribeRecording(stereoRecordingWav(external, internal), {
      engines: [new ScriptedEngine()],
      language: 'en-US',
      callId: 'call-1',
    });
    expect(result.audioSeconds).toBeCloseTo(external.length / S, 3);
    expect(result.engines).toEqual(['scripted']);
    const byChannel = (c: number) => result.finals.filter((f) => f.channel === c);
    expect(byChannel(0).flatMap((f) => f.words).length).toBe(2);
    expect(byChannel(1).map((f) => [f.role, f.words.length])).toEqual([['agent', 1]]);
    expect(byChannel(0).map((f) => Math.round(f.offsetSeconds * 10) / 10)).toEqual([1, 2]);
    expect(byChannel(1)[0]!.offsetSeconds).toBeCloseTo(3, 1);
    expect(result.finals.every((f) => f.type === 'final' && f.callId === 'call-1')).toBe(true);
  });

  it('with the stream gaps of the call, offsets are on the stream timeline and a discard does not split', async () => {
    // file: customer speaks at 1.0-1.5 s and 2.0-2.5 s, agent at 3.0-3.5 s.
    // stream: a discard of 0.5 s at 1.25 s (inside the first word), a pause of 3 s at 1.75 s (between the words)
    const external = concat(silence(S), burst(), silence(S / 2), burst(), silence(2 * S));
    const internal = concat(silence(3 * S), burst(), silence(S));
    const result = await transcribeRecording(stereoRecordingWav(external, internal), {
      engines: [new ScriptedEngine()],
      language: 'en-US',
      streamGaps: [
        { kind: 'paused', startSample: 2.25 * S, samples: 3 * S }, // file 1.75 s: after the discard
        { kind: 'discarded', startSample: 1.25 * S, samples: S / 2 },
      ],
    });
    const customer = result.finals.filter((f) => f.channel === 0);
    expect(customer).toHaveLength(2);
    // the first burst bridges the discarded half second: one final from 1.0 s covering it (the scripted engine
    // hears a word on each side of the gap)
    expect(customer[0]!.offsetSeconds).toBeCloseTo(1, 1);
    expect(customer[0]!.offsetSeconds + customer[0]!.durationSeconds).toBeCloseTo(2, 1);
    // after the discard (0.5 s) and the pause (3 s): file 2.0 s is stream 5.5 s, file 3.0 s is stream 6.5 s
    expect(customer[1]!.offsetSeconds).toBeCloseTo(5.5, 1);
    expect(result.finals.find((f) => f.channel === 1)!.offsetSeconds).toBeCloseTo(6.5, 1);
    expect(result.audioSeconds).toBeCloseTo(external.length / S, 3); // the audio in the file, not the stream
  });

  it('a gap overlapping audio already placed (a malformed log) moves nothing', async () => {
    const audio = concat(silence(S), burst(), silence(S));
    const result = await transcribeRecording(stereoRecordingWav(audio, silence(audio.length)), {
      engines: [new ScriptedEngine()],
      language: 'en-US',
      streamGaps: [
        { kind: 'paused', startSample: 0, samples: S },
        { kind: 'discarded', startSample: S / 2, samples: S }, // starts inside the pause above
      ],
    });
    expect(result.finals.map((f) => Math.round(f.offsetSeconds * 10) / 10)).toEqual([2]);
  });

  it('rejects when part of the audio could not be transcribed, rather than returning a short transcript', async () => {
    const audio = concat(burst(), silence(S), burst(), silence(S), burst(), silence(S));
    await expect(
      transcribeRecording(stereoRecordingWav(audio, audio), {
        engines: [new ScriptedEngine({ failAfterSamples: S / 4 })],
        language: 'en-US',
      }),
    ).rejects.toBeInstanceOf(RecordingTranscriptionError);
  });

  it('rejects a recording that is not 8 kHz WAV', async () => {
    await expect(
      transcribeRecording(new TextEncoder().encode('not a wav'), {
        engines: [new ScriptedEngine()],
        language: null,
      }),
    ).rejects.toThrow(/RIFF/);
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('lease lost'));
    await expect(
      transcribeRecording(stereoRecordingWav(burst(), burst()), {
        engines: [new ScriptedEngine()],
        language: 'en-US',
        signal: controller.signal,
      }),
    ).rejects.toThrow('lease lost');
  });

  it('real speech through the embedded engine: the words come out of the recording', async () => {
    const { phone } = espeakSpeech('please check my account balance');
    const engine = new PocketsphinxEngine({
      maxBacklogMs: 3_600_000,
      pool: { niceness: 19, warmDecoders: 0 },
    });
    try {
      const result = await transcribeRecording(stereoRecordingWav(phone, silence(phone.length)), {
        engines: [engine],
        language: 'en-US',
      });
      const text = result.finals.map((f) => f.text).join(' ');
      expect(text).toMatch(/account/);
      expect(text).toMatch(/balance/);
      expect(result.finals.every((f) => f.channel === 0)).toBe(true);
    } finally {
      await engine.stop();
    }
  });
});
