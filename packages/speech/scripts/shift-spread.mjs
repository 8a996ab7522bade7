// Issue 12: how much WER moves when the audio moves by a few milliseconds. For each shift k (samples), the engine
// alone hears every utterance with its first k samples dropped, and the hold-call pipeline hears the call with k
// samples of silence in front (every VAD frame and segment boundary moves by k against the speech). The mean over
// shifts compares the two paths; a single shift is one draw of a decoder that is sensitive to frame alignment.
//   node packages/speech/scripts/shift-spread.mjs [--set dev|testdata] [--every N] [--shifts 0,40,80,…] [HOOKSCRIBE_X=value …]
/* global console, process */
import { benchEngine, evaluateEngine, holdCall, recogniseChannel, scoreHoldCall } from './pipeline-eval.mjs';
import { loadSet } from './evaluate.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const env = Object.fromEntries(argv.filter((a) => a.includes('=')).map((a) => a.split('=')));
const items = loadSet(opt('--set', 'dev'), Number(opt('--every', '1')));
const shifts = opt('--shifts', '0,40,80,120,160,200,240,280').split(',').map(Number);
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = [];
const only = opt('--only', 'both');
for (const k of shifts) {
  let alone = NaN;
  if (only !== 'pipeline') {
    const trimmed = items.map((item) => ({ ...item, phone: () => item.phone().subarray(k) }));
    alone = (await evaluateEngine(trimmed)).wer;
  }
  let pipeline = NaN;
  if (only !== 'engine') {
    const engine = benchEngine();
    await engine.start();
    let errors = 0;
    let words = 0;
    const byVoice = new Map();
    for (const item of items) byVoice.set(item.voice, [...(byVoice.get(item.voice) ?? []), item]);
    for (const voiceItems of byVoice.values()) {
      const call = holdCall(voiceItems);
      const pcm = new Int16Array(call.pcm.length + k);
      pcm.set(call.pcm, k);
      const spans = call.spans.map((s) => ({ ...s, start: s.start + k, end: s.end + k }));
      const { counter } = scoreHoldCall({ pcm, spans }, await recogniseChannel(engine, pcm, env));
      errors += counter.errors;
      words += counter.words;
    }
    await engine.stop();
    pipeline = errors / words;
  }
  rows.push({ k, alone, pipeline });
  console.log(
    `shift ${String(k).padStart(4)} samples: engine alone ${pct(alone)}, pipeline ${pct(pipeline)}`,
  );
}
const a = rows.map((r) => r.alone);
const p = rows.map((r) => r.pipeline);
console.log(
  `engine alone mean ${pct(mean(a))} (${pct(Math.min(...a))}–${pct(Math.max(...a))}), pipeline mean ${pct(mean(p))} (${pct(Math.min(...p))}–${pct(Math.max(...p))}) over ${rows.length} shifts`,
);
