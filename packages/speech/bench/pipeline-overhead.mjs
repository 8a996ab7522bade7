#!/usr/bin/env node
/* global process, console, URL */
// CPU the speech pipeline adds on top of an engine: CallTranscriber + per-channel VAD/segmenter + result mapping,
// measured with an engine that does nothing (so the figure is pure overhead). Stereo, 200 ms frames, speech and
// pauses alternating like a call.
// Usage: npx tsc -b packages/speech && node packages/speech/bench/pipeline-overhead.mjs [minutes=20] [energy|silero]
import { readFileSync } from 'node:fs';
import { CallTranscriber, decodeWav, EnergyVad, SileroVad } from '../dist/index.js';

const minutes = Number(process.argv[2] ?? 20);
const vadName = process.argv[3] ?? 'energy';
const RATE = 8000;
const fixture = (name) =>
  decodeWav(readFileSync(new URL(`../test/fixtures/${name}.wav`, import.meta.url))).pcm;
const speech = [fixture('hello'), fixture('account'), fixture('two-sentences')];

/** accepts audio, emits one final per flush with one word: overhead only */
class NullEngine {
  name = 'null';
  capabilities = {
    streaming: true,
    partials: false,
    wordTimings: true,
    languages: ['en-US'],
    endpointing: false,
  };
  start = async () => {};
  stop = async () => {};
  openStream(options) {
    let fed = null;
    let results = [];
    let wake = null;
    let closed = false;
    let n = 0;
    return {
      failed: null,
      write(pcm, start) {
        fed ??= [start, start];
        fed[1] = start + pcm.length;
      },
      async flush() {
        if (!fed) return;
        const [a, b] = fed;
        fed = null;
        results.push({
          utteranceId: `u${++n}`,
          isFinal: true,
          text: 'x',
          words: [{ text: 'x', startSample: a, durationSamples: b - a, confidence: 1 }],
          startSample: a,
          durationSamples: b - a,
          confidence: 1,
          language: options.language,
          engine: 'null',
        });
        wake?.();
      },
      async close() {
        await this.flush();
        closed = true;
        wake?.();
      },
      async *results() {
        for (;;) {
          while (results.length) yield results.shift();
          if (closed) return;
          await new Promise((r) => (wake = r));
        }
      },
    };
  }
}

// a channel's audio: speech clips separated by 0.3–3 s of silence; the other channel is offset
function channel(seconds, seed) {
  const out = new Int16Array(seconds * RATE);
  let at = seed * RATE;
  let i = seed;
  while (at < out.length) {
    const clip = speech[i++ % speech.length];
    out.set(clip.subarray(0, Math.min(clip.length, out.length - at)), at);
    at += clip.length + Math.round((0.3 + ((i * 7) % 28) / 10) * RATE);
  }
  return out;
}

const seconds = minutes * 60;
const external = channel(seconds, 0);
const internal = channel(seconds, 2);
let finals = 0;
const transcriber = new CallTranscriber({
  engines: [new NullEngine()],
  onTranscript: (e) => (finals += e.type === 'final' ? 1 : 0),
  createVad: vadName === 'silero' ? () => SileroVad.load() : () => new EnergyVad(),
  segmenter: vadName === 'silero' ? { negThreshold: 0.35 } : {},
});
await transcriber.handle({
  type: 'opened',
  media: { channels: ['external', 'internal'] },
  language: 'en-US',
});
const heap0 = process.memoryUsage().heapUsed;
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
for (let at = 0; at < seconds * RATE; at += 1600) {
  await transcriber.handle({
    type: 'audio',
    channels: [external.subarray(at, at + 1600), internal.subarray(at, at + 1600)],
    startSample: at,
  });
}
await transcriber.handle({ type: 'closing', atSample: seconds * RATE });
const cpu = process.cpuUsage(cpu0);
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  JSON.stringify(
    {
      vad: vadName,
      audioSecondsStereo: seconds,
      finals,
      cpuSecondsPerStereoAudioSecond: +(cpuSeconds / seconds).toFixed(5),
      percentOfOneCorePerLiveStereoCall: +((100 * cpuSeconds) / seconds).toFixed(3),
      wallSeconds: +wall.toFixed(2),
      heapGrowthMB: +((process.memoryUsage().heapUsed - heap0) / 1048576).toFixed(1),
    },
    null,
    2,
  ),
);
