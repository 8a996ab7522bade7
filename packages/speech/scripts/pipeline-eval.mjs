// The product's path for one channel, offline and faster than real time: VAD + segmenter (ChannelRecognizer) →
// PocketsphinxEngine (worker threads, per-stream CMN, rejection) as configured by speechConfigFromEnv. Used by
// bench:stt for WER per voice on "hold calls" and for the words produced by non-speech.
//
// A hold call: one voice's utterances in set order, each followed by `gapSeconds` of music on hold (rotating
// through the Debian asterisk tracks), as in an IVR call on hold. Scored per utterance: the words whose middle
// falls inside the utterance's audio against its reference; words whose middle falls in the music are insertions
// "in music" (counted separately, and also as errors in the WER). `--gaps quiet` puts 1.5 s of a faint line hiss
// between the utterances instead, to measure what the music next to an utterance costs its words.
//
// Needs `npx tsc -b packages/speech`.
/* global console, process */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOH_FILES, nonSpeechClips } from '../devset/non-speech.mjs';
import { WerCounter } from './wer.mjs';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../dist');
const { PocketsphinxEngine } = await import(join(dist, 'pocketsphinx/engine.js'));
const { ChannelRecognizer } = await import(join(dist, 'pipeline/channel-recognizer.js'));
const { speechConfigFromEnv, transcriberOptionsFromConfig } = await import(
  join(dist, 'config/speech-config.js')
);

/** an engine for offline evaluation: audio may queue without limit (we feed faster than real time) */
export function benchEngine(config = {}) {
  return new PocketsphinxEngine({
    ...config,
    maxBacklogMs: 1e9,
    // fed faster than real time, a long call's utterances queue for the one decoder: more than the product's 16
    pool: {
      maxDecoders: 1,
      warmDecoders: 1,
      maxWaiting: 100_000,
      requestTimeoutMs: 600_000,
      acquireTimeoutMs: 600_000,
    },
  });
}

/** Streams one channel through ChannelRecognizer; returns its finals. `env`: HOOKSCRIBE_* overrides. */
export async function recogniseChannel(engine, pcm, env = {}) {
  const options = transcriberOptionsFromConfig(speechConfigFromEnv({ ...process.env, ...env }));
  const recognizer = new ChannelRecognizer(engine, {
    language: 'en-US',
    sampleRate: 8000,
    partials: false,
    createVad: options.createVad,
    segmenter: options.segmenter,
  });
  const finals = [];
  const consumed = (async () => {
    for await (const r of recognizer.results()) if (r.isFinal) finals.push(r);
  })();
  for (let i = 0; i < pcm.length; i += 160) {
    recognizer.write(pcm.subarray(i, i + 160), i);
    if (i % 16_000 === 0) await recognizer.drained();
  }
  await recognizer.close();
  await consumed;
  return finals;
}

let music = null;
let quietGap = null;

/** 1.5 s of faint white noise (RMS ≈ 30, −61 dBFS: a quiet line), seeded so every run gets the same samples */
function quietLine() {
  const pcm = new Int16Array(12_000);
  let seed = 12345;
  const uniform = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(30 * Math.sqrt(3) * uniform());
  return [{ pcm }];
}

/** `items`: [{ text, phone(): Int16Array }] of one voice; `gaps`: 'music' (12 s, rotating tracks) or 'quiet' */
export function holdCall(items, gapSeconds = 12, gaps = 'music') {
  if (gaps === 'quiet') quietGap ??= quietLine();
  else music ??= nonSpeechClips({ seconds: gapSeconds, only: MOH_FILES.map((t) => `hold-music ${t}`) });
  const fillers = gaps === 'quiet' ? quietGap : music;
  const parts = [];
  const spans = [];
  let at = 0;
  items.forEach((item, i) => {
    const pcm = item.phone();
    parts.push(pcm);
    spans.push({ start: at, end: at + pcm.length, text: item.text });
    at += pcm.length;
    const gap = fillers[i % fillers.length].pcm;
    parts.push(gap);
    at += gap.length;
  });
  const pcm = new Int16Array(at);
  let offset = 0;
  for (const p of parts) {
    pcm.set(p, offset);
    offset += p.length;
  }
  return { pcm, spans };
}

/**
 * WER of a hold call's finals against its utterances (`counter`: music insertions counted as errors;
 * `inPrompts`: the words inside the utterances only), and the words recognised in the music.
 */
export function scoreHoldCall(call, finals) {
  const counter = new WerCounter();
  const inPrompts = new WerCounter();
  const words = finals.flatMap((f) => f.words);
  const middle = (w) => w.startSample + w.durationSamples / 2;
  const inSpan = (w, s) => middle(w) >= s.start && middle(w) < s.end;
  for (const span of call.spans) {
    const hyp = words
      .filter((w) => inSpan(w, span))
      .map((w) => w.text)
      .join(' ');
    counter.add(span.text, hyp);
    inPrompts.add(span.text, hyp);
  }
  const inMusic = words.filter((w) => !call.spans.some((s) => inSpan(w, s)));
  counter.add('', inMusic.map((w) => w.text).join(' '));
  return { counter, inPrompts, inMusic };
}

/**
 * Hold calls, one per voice of `items` ([{ voice, text, phone() }]), through the pipeline with `env`. Returns the
 * WER overall (and of the words inside the utterances only) and per voice, the words in music (and where they
 * are), CPU per audio second and every final's confidence. `gaps`: what lies between the utterances (holdCall).
 */
export async function evaluateHoldCalls(items, env = {}, engineConfig = {}, gaps = 'music') {
  const engine = benchEngine(engineConfig);
  await engine.start();
  const byVoice = new Map();
  for (const item of items) byVoice.set(item.voice, [...(byVoice.get(item.voice) ?? []), item]);
  const total = new WerCounter();
  const inPrompts = new WerCounter();
  const perVoice = {};
  const inMusic = [];
  const inMusicAt = [];
  const confidences = [];
  let audioSeconds = 0;
  const cpu0 = process.cpuUsage();
  for (const [voice, voiceItems] of byVoice) {
    const call = holdCall(voiceItems, 12, gaps);
    const finals = await recogniseChannel(engine, call.pcm, env);
    const scored = scoreHoldCall(call, finals);
    inPrompts.errors += scored.inPrompts.errors;
    inPrompts.words += scored.inPrompts.words;
    for (const w of scored.inMusic) {
      const final = finals.find((f) => f.words.includes(w));
      inMusicAt.push({
        voice,
        text: w.text,
        seconds: w.startSample / 8000,
        finalText: final?.text,
        confidence: final?.confidence,
      });
    }
    perVoice[voice] = {
      wer: scored.counter.wer,
      words: scored.counter.words,
      inMusic: scored.inMusic.length,
    };
    total.errors += scored.counter.errors;
    total.words += scored.counter.words;
    inMusic.push(...scored.inMusic.map((w) => w.text));
    confidences.push(...finals.map((f) => f.confidence));
    audioSeconds += call.pcm.length / 8000;
  }
  const cpu = process.cpuUsage(cpu0);
  await engine.stop();
  return {
    wer: total.wer,
    promptWer: inPrompts.wer,
    words: total.words,
    perVoice,
    inMusic,
    inMusicAt,
    confidences,
    audioSeconds,
    cpuPerAudioSecond: (cpu.user + cpu.system) / 1e6 / audioSeconds,
  };
}

/** Words recognised in each non-speech clip (music on hold, synthetic music, tones, DTMF, noise). */
export async function evaluateNonSpeech(env = {}, seconds = 20, engineConfig = {}) {
  const engine = benchEngine(engineConfig);
  await engine.start();
  const clips = [];
  for (const clip of nonSpeechClips({ seconds })) {
    const finals = await recogniseChannel(engine, clip.pcm, env);
    clips.push({
      name: clip.name,
      kind: clip.kind,
      words: finals.flatMap((f) => f.words.map((w) => w.text)),
    });
  }
  await engine.stop();
  return clips;
}

/**
 * The engine alone (no VAD), as evaluate.mjs but through PocketsphinxEngine: one stream per voice (a channel),
 * its utterances in set order with a flush after each. WER overall and per voice, CPU per audio second.
 */
export async function evaluateEngine(items, engineConfig = {}) {
  const engine = benchEngine(engineConfig);
  await engine.start();
  const byVoice = new Map();
  for (const item of items) byVoice.set(item.voice, [...(byVoice.get(item.voice) ?? []), item]);
  const total = new WerCounter();
  const perVoice = {};
  const hyps = [];
  let audioSeconds = 0;
  const cpu0 = process.cpuUsage();
  for (const [voice, voiceItems] of byVoice) {
    const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: false });
    const finals = new Map();
    const consumed = (async () => {
      for await (const r of stream.results()) if (r.isFinal) finals.set(r.startSample, r.text);
    })();
    const counter = new WerCounter();
    let at = 0;
    const starts = [];
    for (const item of voiceItems) {
      const pcm = item.phone();
      starts.push(at);
      for (let i = 0; i < pcm.length; i += 160) stream.write(pcm.subarray(i, i + 160), at + i);
      await stream.flush();
      at += pcm.length + 8000;
      audioSeconds += pcm.length / 8000;
    }
    await stream.close();
    await consumed;
    const sorted = [...finals.entries()].sort((a, b) => a[0] - b[0]);
    voiceItems.forEach((item, i) => {
      const end = i + 1 < starts.length ? starts[i + 1] : Infinity;
      const hyp = sorted
        .filter(([s]) => s >= starts[i] && s < end)
        .map(([, t]) => t)
        .join(' ');
      counter.add(item.text, hyp);
      hyps.push({ id: item.id, hyp });
    });
    perVoice[voice] = { wer: counter.wer, words: counter.words };
    total.errors += counter.errors;
    total.words += counter.words;
  }
  const cpu = process.cpuUsage(cpu0);
  await engine.stop();
  return {
    wer: total.wer,
    words: total.words,
    perVoice,
    hyps,
    cpuPerAudioSecond: (cpu.user + cpu.system) / 1e6 / audioSeconds,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // node packages/speech/scripts/pipeline-eval.mjs [--every N] [--set dev|testdata|asterisk-dev|…]
  //   [--gaps music|quiet] [--engine-only] [--non-speech] [-v] [HOOKSCRIBE_X=value …]
  const { loadSet } = await import('./evaluate.mjs');
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
  const env = Object.fromEntries(argv.filter((a) => a.includes('=')).map((a) => a.split('=')));
  const engineConfig = JSON.parse(opt('--engine', '{}'));
  const items = loadSet(opt('--set', 'dev'), Number(opt('--every', '1')));
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  if (argv.includes('--engine-only')) {
    const e = await evaluateEngine(items, engineConfig);
    console.log(`engine WER ${pct(e.wer)} of ${e.words}, CPU ${e.cpuPerAudioSecond.toFixed(3)} s/s`);
    for (const [v, s] of Object.entries(e.perVoice))
      console.log(`  ${v.padEnd(26)} ${pct(s.wer)} of ${s.words}`);
    if (argv.includes('-v')) for (const h of e.hyps) console.log(`    ${h.id} ${h.hyp}`);
    process.exit(0);
  }
  const gaps = opt('--gaps', 'music');
  if (gaps !== 'music' && gaps !== 'quiet') throw new Error(`--gaps music|quiet, not ${gaps}`);
  const r = await evaluateHoldCalls(items, env, engineConfig, gaps);
  console.log(
    `hold calls (${gaps} gaps) WER ${pct(r.wer)} of ${r.words} (inside the prompts ${pct(r.promptWer)}), ${r.inMusic.length} words in the gaps (${r.inMusic.join(' ')}), CPU ${r.cpuPerAudioSecond.toFixed(3)} s/s`,
  );
  for (const w of r.inMusicAt)
    console.log(
      `  in the gap: "${w.text}" at ${w.seconds.toFixed(2)} s (${w.voice}), final "${w.finalText}" confidence ${w.confidence?.toFixed(2)}`,
    );
  for (const [v, s] of Object.entries(r.perVoice))
    console.log(`  ${v.padEnd(26)} ${pct(s.wer)} of ${s.words}, in music ${s.inMusic}`);
  console.log(
    '  confidences',
    r.confidences
      .map((c) => c.toFixed(2))
      .sort()
      .join(' '),
  );
  if (argv.includes('--non-speech')) {
    for (const c of await evaluateNonSpeech(env))
      console.log(`  ${c.name.padEnd(40)} ${c.words.length} ${c.words.join(' ')}`);
  }
}
