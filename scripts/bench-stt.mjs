#!/usr/bin/env node
/* global console, process, setTimeout, performance */
// STT benchmark of the embedded engine (npm run bench:stt). Results → docs/benchmarks/stt.md.
//
//   node packages/speech/devset/generate.mjs dev     # dev set (once; gitignored)
//   npx tsc -b packages/speech
//   node scripts/bench-stt.mjs [--every N] [--live-utterances K] [--skip-wer] [--skip-configs] [--before] [--write]
//
// 1. WER per configuration (naive upsampling, + band fill, + MLLR/phone CMN init, tuned decoder = engine default,
//    clean 16 kHz ceiling) on the dev set (every Nth utterance) and on pocketsphinx-testdata (librivox + cards, put
//    through the same phone channel), with the bare decoder's CPU seconds per audio second.
// 2. The product's configuration per set and per voice (dev, testdata, and the real telephone prompts asterisk-dev,
//    tuned on, and asterisk-heldout, never tuned on; --every N subsamples those too): PocketsphinxEngine alone,
//    against the engine without the domain LM; then the whole channel pipeline (Silero VAD + segmenter + engine)
//    on hold calls (utterances separated by 12 s of real music on hold) with the words recognised in the music,
//    and every non-speech clip (hold music, synthetic music, tones, DTMF, noise). --before adds the energy VAD.
// 3. The engine end to end (PocketsphinxEngine from dist/: front end, worker threads, partials): K utterances
//    streamed in real time as stereo calls (two channels at once), final latency after end of speech (flush →
//    final), first-partial latency, CPU per audio second of the whole process, RSS per decoder, and the live
//    stereo calls one core sustains (1 / (2 · CPU per audio second)).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const speech = join(root, 'packages/speech');
const { evaluate, loadSet } = await import(join(speech, 'scripts/evaluate.mjs'));
const { PocketsphinxEngine } = await import(join(speech, 'dist/pocketsphinx/engine.js'));
const { defaultPocketsphinxConfig, TUNED_DECODER } = await import(
  join(speech, 'dist/pocketsphinx/config.js')
);
const { readWav } = await import(join(speech, 'scripts/pocketsphinx-native.mjs'));
const { WerCounter } = await import(join(speech, 'scripts/wer.mjs'));

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const every = Number(opt('--every', '1'));
const liveUtterances = Number(opt('--live-utterances', '8'));
const skipWer = argv.includes('--skip-wer');
const before = argv.includes('--before');
const skipConfigs = argv.includes('--skip-configs');

const defaults = defaultPocketsphinxConfig();
const rms = defaults.frontEnd.bandNoiseRms;
const tuningArgs = Object.entries(TUNED_DECODER).flatMap(([k, v]) => [`-${k}`, String(v)]);
const CONFIGS = [
  { name: 'naive upsampling', input: 'phone', rms: 0 },
  { name: '+ band fill noise', input: 'phone', rms },
  {
    name: '+ MLLR + phone CMN init',
    input: 'phone',
    rms,
    mllr: defaults.mllr,
    featparams: defaults.featParams,
  },
  {
    name: '+ tuned decoder, CMN carried by the decoder (before)',
    input: 'phone',
    rms,
    mllr: defaults.mllr,
    featparams: defaults.featParams,
    args: ['-fwdflat', 'no'],
    sharedCmn: true,
  },
  {
    name: '+ tuned decoder (engine default, generic LM)',
    input: 'phone',
    rms,
    mllr: defaults.mllr,
    featparams: defaults.featParams,
    args: tuningArgs,
  },
  { name: 'clean 16 kHz (ceiling)', input: 'wide' },
];

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const lines = [];
const out = (s = '') => {
  lines.push(s);
  console.log(s);
};

out(`# STT benchmark (embedded pocketsphinx)`);
out();
out(
  `Command: \`node scripts/bench-stt.mjs ${argv.join(' ')}\`  ·  ${new Date().toISOString()}  ·  node ${process.version}`,
);
out();

if (!skipWer && !skipConfigs) {
  const dev = loadSet('dev', every);
  const testdata = loadSet('testdata', 1);
  out(`## WER per configuration`);
  out();
  out(
    `Dev set: ${dev.length} utterances (every ${every}th of packages/speech/devset); testdata: ${testdata.length} utterances (pocketsphinx-testdata librivox + cards, through the same phone channel). CPU = bare decoder, seconds per audio second, one thread.`,
  );
  out();
  out('| configuration | dev WER | testdata WER | CPU s/s (dev) | end-of-utterance CPU p50 (dev) |');
  out('| --- | --- | --- | --- | --- |');
  for (const config of CONFIGS) {
    const d = evaluate(config, dev);
    const t = evaluate(config, testdata);
    const endMs = [...d.endOfUtteranceMs].sort((a, b) => a - b)[Math.floor(d.endOfUtteranceMs.length / 2)];
    out(
      `| ${config.name} | ${pct(d.wer)} (${d.words} words) | ${pct(t.wer)} (${t.words} words) | ${d.cpuPerAudioSecond.toFixed(3)} | ${endMs.toFixed(0)} ms |`,
    );
  }
  out();
  out(`Tuned decoder flags: \`${tuningArgs.join(' ') || '(pocketsphinx defaults)'}\`; band fill RMS ${rms}.`);
  out();
}

if (!skipWer) {
  const { evaluateEngine, evaluateHoldCalls, evaluateNonSpeech } = await import(
    join(speech, 'scripts/pipeline-eval.mjs')
  );
  const dev = loadSet('dev', every);
  const testdata = loadSet('testdata', 1);
  // real 8 kHz telephone prompts in one voice: the dev half is tuned on, the held-out half never
  const asteriskDev = loadSet('asterisk-dev', every);
  const asteriskHeldout = loadSet('asterisk-heldout', every);
  const generic = { domainLm: null, tuning: { fwdflat: 'no' } };
  out(`## The engine per set and voice`);
  out();
  out(
    'PocketsphinxEngine from dist/ (worker threads, per-channel CMN), one stream per voice, utterances in set order with a flush after each. Testdata and asterisk-heldout are never used for tuning. CPU = whole process per audio second.',
  );
  out();
  const rows = [];
  for (const [name, config] of [
    ['generic en-US LM, `-fwdflat no`', generic],
    ['+ contact-centre LM (weight 0.5) + `-maxhmmpf 8000` (**default**)', {}],
  ]) {
    const d = await evaluateEngine(dev, config);
    const t = await evaluateEngine(testdata, config);
    const a = await evaluateEngine(asteriskDev, config);
    const h = await evaluateEngine(asteriskHeldout, config);
    rows.push({ name, d, t, a, h });
  }
  out('| engine | dev WER | testdata WER | asterisk-dev WER | asterisk-heldout WER | CPU s/s (dev) |');
  out('| --- | --- | --- | --- | --- | --- |');
  for (const { name, d, t, a, h } of rows)
    out(
      `| ${name} | ${[d, t, a, h].map((r) => `${pct(r.wer)} (${r.words} words)`).join(' | ')} | ${d.cpuPerAudioSecond.toFixed(3)} |`,
    );
  out();
  out(`| voice | ${rows.map((r) => r.name).join(' | ')} |`);
  out(`| --- | ${rows.map(() => '---').join(' | ')} |`);
  for (const voice of Object.keys({ ...rows[0].d.perVoice, ...rows[0].t.perVoice })) {
    const cell = (r) => {
      const v = r.d.perVoice[voice] ?? r.t.perVoice[voice];
      return `${pct(v.wer)} of ${v.words}`;
    };
    out(`| ${voice} | ${rows.map(cell).join(' | ')} |`);
  }
  out();
  out(`## The pipeline: hold calls and non-speech`);
  out();
  out(
    "Channel pipeline as configured by the environment (ChannelRecognizer: VAD + segmenter → engine), fed faster than real time. A hold call = one voice's utterances, each followed by 12 s of music on hold (the five Debian asterisk tracks in turn); the asterisk sets are real telephone prompts, the nearest to the hidden real-speech hold call. Words whose middle lies in the music count as insertions (in the WER too).",
  );
  out();
  out('| pipeline | set | WER | words in music | CPU s/s of call audio |');
  out('| --- | --- | --- | --- | --- |');
  const pipelines = [['Silero VAD + engine default (**default**)', {}, {}]];
  if (before) pipelines.unshift(['energy VAD + generic LM (before)', { HOOKSCRIBE_VAD: 'energy' }, generic]);
  for (const [name, env, config] of pipelines) {
    for (const [setName, set] of [
      ['dev', dev],
      ['testdata', testdata],
      ['asterisk-dev', asteriskDev],
      ['asterisk-heldout', asteriskHeldout],
    ]) {
      const r = await evaluateHoldCalls(set, env, config);
      out(
        `| ${name} | ${setName} | ${pct(r.wer)} (${r.words} words) | ${r.inMusic.length}${r.inMusic.length ? ` (${r.inMusic.join(' ')})` : ''} | ${r.cpuPerAudioSecond.toFixed(3)} |`,
      );
    }
  }
  out();
  out(
    '| non-speech clip (20 s, phone channel) | words, default pipeline |' +
      (before ? ' words, energy VAD (before) |' : ''),
  );
  out('| --- | --- |' + (before ? ' --- |' : ''));
  const clips = await evaluateNonSpeech({}, 20);
  const beforeClips = before ? await evaluateNonSpeech({ HOOKSCRIBE_VAD: 'energy' }, 20, generic) : null;
  clips.forEach((c, i) => {
    const show = (x) => `${x.words.length}${x.words.length ? ` (${x.words.join(' ')})` : ''}`;
    out(`| ${c.name} | ${show(c)} |${beforeClips ? ` ${show(beforeClips[i])} |` : ''}`);
  });
  out();
}

// ---- end to end, real time ----
const devDir = join(speech, 'devset/out/dev');
const manifest = readFileSync(join(devDir, 'manifest.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const picked = manifest
  .filter((_, i) => i % Math.max(1, Math.floor(manifest.length / liveUtterances)) === 1)
  .slice(0, liveUtterances);
const engine = new PocketsphinxEngine({ pool: { ...defaults.pool, maxDecoders: 2, warmDecoders: 2 } });
const rssBefore = process.memoryUsage().rss;
await engine.start();
const rssPerDecoder = (process.memoryUsage().rss - rssBefore) / 2;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const finalLatencies = [];
const firstPartialLatencies = [];
const counter = new WerCounter();
let audioSeconds = 0;

/** streams one utterance in real time (20 ms chunks), flushes at its end; returns the final text */
async function streamUtterance(item, startedAt) {
  const pcm = readWav(join(devDir, 'phone', `${item.id}.wav`)).pcm;
  const stream = engine.openStream({ language: 'en-US', sampleRate: 8000, partials: true });
  let finalAt = 0;
  let firstPartialAt = 0;
  let text = '';
  const consumed = (async () => {
    for await (const r of stream.results()) {
      if (r.isFinal) {
        finalAt = performance.now();
        text = r.text;
      } else if (!firstPartialAt) firstPartialAt = performance.now();
    }
  })();
  for (let i = 0; i < pcm.length; i += 160) {
    const due = startedAt + (i / 8000) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    stream.write(pcm.subarray(i, Math.min(pcm.length, i + 160)), i);
  }
  const endOfSpeech = performance.now();
  await stream.flush();
  await stream.close();
  await consumed;
  if (stream.failed) throw stream.failed;
  finalLatencies.push(finalAt - endOfSpeech);
  if (firstPartialAt) firstPartialLatencies.push(firstPartialAt - startedAt);
  audioSeconds += pcm.length / 8000;
  counter.add(item.text, text);
}

const cpu0 = process.cpuUsage();
const wall0 = performance.now();
for (let i = 0; i + 1 < picked.length; i += 2) {
  // a stereo call: customer and agent channels at the same time
  const t = performance.now();
  await Promise.all([streamUtterance(picked[i], t), streamUtterance(picked[i + 1], t)]);
}
const cpu = process.cpuUsage(cpu0);
const wall = (performance.now() - wall0) / 1000;
await engine.stop();

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const cpuPerAudioSecond = (cpu.user + cpu.system) / 1e6 / audioSeconds;
out(`## Engine end to end (real-time streaming)`);
out();
out(
  `${finalLatencies.length} dev utterances streamed in real time in 20 ms chunks, two at a time (stereo call), partials on, through PocketsphinxEngine (front end + MLLR + worker-thread pool); ${audioSeconds.toFixed(1)} s of channel audio in ${wall.toFixed(1)} s.`,
);
out();
out('| metric | value |');
out('| --- | --- |');
out(
  `| final latency after end of speech, p50 / p95 | ${quantile(finalLatencies, 0.5).toFixed(0)} ms / ${quantile(finalLatencies, 0.95).toFixed(0)} ms (target p50 ≤ 600 ms) |`,
);
out(
  `| first partial after start of speech, p50 | ${firstPartialLatencies.length ? quantile(firstPartialLatencies, 0.5).toFixed(0) + ' ms' : 'none'} (partial cadence ${defaults.partialIntervalMs} ms of audio) |`,
);
out(
  `| CPU per audio second (whole process: front end, workers, decoding) | ${cpuPerAudioSecond.toFixed(3)} s/s |`,
);
out(
  `| live stereo calls per core (1 / (2 × CPU s/s)) | ${(1 / (2 * cpuPerAudioSecond)).toFixed(1)} (target ≥ 3) |`,
);
out(
  `| RSS per decoder (process RSS growth / decoders created) | ${(rssPerDecoder / 1048576).toFixed(0)} MB |`,
);
out(`| WER of these streamed utterances | ${pct(counter.wer)} (${counter.words} words) |`);
out();
if (argv.includes('--write')) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(root, 'docs/benchmarks/stt.md'), lines.join('\n') + '\n');
}
