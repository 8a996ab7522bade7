// Issue 12 diagnosis: per utterance, the engine alone (one stream per voice, flush per utterance) beside the
// hold-call pipeline (Silero + segmenter + engine), with the pipeline's finals and their sample ranges.
//   node packages/speech/scripts/gap-diagnose.mjs [--set dev|testdata] [--every N] [HOOKSCRIBE_X=value …]
/* global console, process */
import { evaluateEngine, benchEngine, holdCall, recogniseChannel } from './pipeline-eval.mjs';
import { loadSet } from './evaluate.mjs';
import { normalise, wordErrors } from './wer.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const env = Object.fromEntries(argv.filter((a) => a.includes('=')).map((a) => a.split('=')));
const items = loadSet(opt('--set', 'dev'), Number(opt('--every', '1')));
const alone = await evaluateEngine(items);
const aloneById = new Map(alone.hyps.map((h) => [h.id, h.hyp]));
const engine = benchEngine();
await engine.start();
// the segments the engine was fed: [first written sample, last written sample) between flushes
let segments = [];
const openStream = engine.openStream.bind(engine);
engine.openStream = (options) => {
  const stream = openStream(options);
  let current = null;
  const write = stream.write.bind(stream);
  const flush = stream.flush.bind(stream);
  stream.write = (pcm, start) => {
    current ??= { start, end: start };
    current.end = start + pcm.length;
    return write(pcm, start);
  };
  stream.flush = () => {
    if (current) segments.push(current);
    current = null;
    return flush();
  };
  return stream;
};
const byVoice = new Map();
for (const item of items) byVoice.set(item.voice, [...(byVoice.get(item.voice) ?? []), item]);
const dump = {};
let eA = 0,
  eP = 0,
  n = 0,
  splits = 0;
for (const [voice, voiceItems] of byVoice) {
  const call = holdCall(voiceItems);
  segments = [];
  const finals = await recogniseChannel(engine, call.pcm, env);
  console.log(`=== ${voice}`);
  call.spans.forEach((span, i) => {
    const item = voiceItems[i];
    const ref = normalise(item.text);
    const overlapping = finals.filter(
      (f) => f.startSample < span.end && f.startSample + f.durationSamples > span.start,
    );
    const mid = (w) => w.startSample + w.durationSamples / 2;
    const words = finals.flatMap((f) => f.words).filter((w) => mid(w) >= span.start && mid(w) < span.end);
    const hypP = words.map((w) => w.text).join(' ');
    const hypA = aloneById.get(item.id);
    const a = wordErrors(ref, normalise(hypA)),
      p = wordErrors(ref, normalise(hypP));
    eA += a;
    eP += p;
    n += ref.length;
    if (segments.filter((g) => g.start < span.end && g.end > span.start).length > 1) splits++;
    const mark = p > a ? '  <<< WORSE' : p < a ? '  (better)' : '';
    console.log(
      `${item.id} span [${span.start}, ${span.end}) ${((span.end - span.start) / 8000).toFixed(2)} s${mark}`,
    );
    console.log(`  ref     ${ref.join(' ')}`);
    console.log(`  alone   ${hypA}   (${a})`);
    console.log(`  pipe    ${hypP}   (${p})`);
    dump[item.id] = segments
      .filter((g) => g.start < span.end && g.end > span.start)
      .map((g) => [g.start - span.start, g.end - span.start]);
    for (const g of segments.filter((g) => g.start < span.end + 8000 && g.end > span.start - 16000))
      console.log(`    segment [${g.start - span.start}, ${g.end - span.start})`);
    for (const f of overlapping)
      console.log(
        `    final [${f.startSample - span.start}, ${f.startSample + f.durationSamples - span.start}) conf ${f.confidence.toFixed(2)}: ${f.words.map((w) => `${w.text}@${w.startSample - span.start}+${w.durationSamples}`).join(' ')}`,
      );
  });
}
await engine.stop();
if (opt('--segments', null)) (await import('node:fs')).writeFileSync(opt('--segments'), JSON.stringify(dump));
console.log(
  `alone ${((100 * eA) / n).toFixed(1)}%  pipeline ${((100 * eP) / n).toFixed(1)}%  (${n} words), utterances with >1 final: ${splits}`,
);
