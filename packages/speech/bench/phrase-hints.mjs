#!/usr/bin/env node
/* global console, process */
// Phrase hints for the embedded engine (npm run bench:phrase-hints). Results → docs/benchmarks/stt.md.
//
//   node packages/speech/devset/generate.mjs dev && npx tsc -b packages/speech
//   node packages/speech/bench/phrase-hints.mjs [--distances 0.1,0.2,…]
//
// A "call" is one voice's utterances on one stream (flush after each), as in bench:stt's engine rows.
// Hints per call, two kinds:
//   present    — the distinct words of at least 6 letters in the call's reference texts (the words are there);
//   irrelevant — contact-centre terms and names, minus any whose words occur in the set's references.
// 1. Tuning (dev set only): the calls are decoded once without hints, then the correction (PhraseHintCorrector,
//    pure post-processing of the finals) is applied offline for each distance threshold.
// 2. Held out (pocketsphinx-testdata): decoded through PocketsphinxEngine with the hints on the streams, at the
//    default threshold — the product's path — against the same calls without hints.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const speech = join(dirname(fileURLToPath(import.meta.url)), '..');
const { loadSet } = await import(join(speech, 'scripts/evaluate.mjs'));
const { benchEngine } = await import(join(speech, 'scripts/pipeline-eval.mjs'));
const { WerCounter, normalise } = await import(join(speech, 'scripts/wer.mjs'));
const { PhraseHintCorrector, DEFAULT_HINT_DISTANCE } = await import(
  join(speech, 'dist/pocketsphinx/phrase-hint-corrector.js')
);
const { DictionaryPronouncer } = await import(join(speech, 'dist/pocketsphinx/pronouncer.js'));
const { defaultPocketsphinxConfig } = await import(join(speech, 'dist/pocketsphinx/config.js'));

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const distances = opt('--distances', '0.1,0.15,0.2,0.25,0.3,0.35,0.4').split(',').map(Number);

const IRRELEVANT = [
  ...['Contoso', 'Fabrikam', 'premium plus plan', 'Northwind', 'direct debit', 'roaming charges'],
  ...['broadband', 'overdraft', 'mortgage', 'insurance claim', 'loyalty points', 'voicemail'],
  ...['router', 'invoice', 'Margaret', 'Jonathan', 'Patel', 'Nguyen', 'warranty', 'fibre upgrade'],
];

const byVoice = (items) => {
  const calls = new Map();
  for (const item of items) calls.set(item.voice, [...(calls.get(item.voice) ?? []), item]);
  return calls;
};
const presentHints = (items) => [
  ...new Set(items.flatMap((item) => normalise(item.text)).filter((w) => w.length >= 6)),
];
const irrelevantHints = (items) => {
  const present = new Set(items.flatMap((item) => normalise(item.text)));
  return IRRELEVANT.filter((phrase) => !normalise(phrase).some((w) => present.has(w)));
};

/** finals per utterance id, each call on its own stream with `phrasesOf(callItems)` */
async function decode(engine, items, phrasesOf = () => []) {
  const finals = new Map();
  for (const callItems of byVoice(items).values()) {
    const phrases = phrasesOf(callItems);
    const stream = engine.openStream({
      language: 'en-US',
      sampleRate: 8000,
      partials: false,
      ...(phrases.length ? { phrases } : {}),
    });
    const results = [];
    const consumed = (async () => {
      for await (const r of stream.results()) if (r.isFinal) results.push(r);
    })();
    let at = 0;
    const starts = [];
    for (const item of callItems) {
      const pcm = item.phone();
      starts.push(at);
      for (let i = 0; i < pcm.length; i += 160) stream.write(pcm.subarray(i, i + 160), at + i);
      await stream.flush();
      at += pcm.length + 8000;
    }
    await stream.close();
    await consumed;
    callItems.forEach((item, i) => {
      const end = i + 1 < starts.length ? starts[i + 1] : Infinity;
      finals.set(
        item.id,
        results.filter((r) => r.startSample >= starts[i] && r.startSample < end),
      );
    });
  }
  return finals;
}

function score(items, finals) {
  const counter = new WerCounter();
  for (const item of items) counter.add(item.text, (finals.get(item.id) ?? []).map((r) => r.text).join(' '));
  return counter;
}

/** the correction applied offline to finals decoded without hints */
async function correctOffline(items, finals, hintsOf, maxDistance, pronounce) {
  const out = new Map();
  for (const callItems of byVoice(items).values()) {
    const corrector = new PhraseHintCorrector({ pronounce, phrases: hintsOf(callItems), maxDistance });
    for (const item of callItems) {
      out.set(item.id, await Promise.all((finals.get(item.id) ?? []).map((r) => corrector.correct(r))));
    }
  }
  return out;
}

const pct = (c) => `${(100 * c.wer).toFixed(1)}% (${c.errors}/${c.words})`;
const pronounce = new DictionaryPronouncer(defaultPocketsphinxConfig().dict).pronounce;
const engine = benchEngine();
await engine.start();

console.log(`# Phrase hints (embedded engine)\n`);
console.log(
  `Command: \`node packages/speech/bench/phrase-hints.mjs ${argv.join(' ')}\`  ·  ${new Date().toISOString()}\n`,
);

const dev = loadSet('dev', 1);
const devFinals = await decode(engine, dev);
const devIrrelevant = irrelevantHints(dev);
console.log(`## Tuning on the dev set (${dev.length} utterances, ${byVoice(dev).size} calls)\n`);
console.log(`Irrelevant hints used: ${devIrrelevant.join(', ')}.\n`);
console.log(
  '| max distance | WER, hints present | WER, irrelevant hints | replacements (present / irrelevant) |',
);
console.log('| --- | --- | --- | --- |');
console.log(`| no hints | ${pct(score(dev, devFinals))} | ${pct(score(dev, devFinals))} | – |`);
const replacements = (finals) => [...finals.values()].flat().filter((r) => r.raw).length;
for (const d of distances) {
  const present = await correctOffline(dev, devFinals, presentHints, d, pronounce);
  const irrelevant = await correctOffline(dev, devFinals, () => devIrrelevant, d, pronounce);
  console.log(
    `| ${d}${d === DEFAULT_HINT_DISTANCE ? ' (default)' : ''} | ${pct(score(dev, present))} | ${pct(score(dev, irrelevant))} | ${replacements(present)} / ${replacements(irrelevant)} finals |`,
  );
}

const testdata = loadSet('testdata', 1);
const testIrrelevant = irrelevantHints(testdata);
console.log(
  `\n## Held out: pocketsphinx-testdata through the engine (default distance ${DEFAULT_HINT_DISTANCE})\n`,
);
console.log(`Irrelevant hints used: ${testIrrelevant.join(', ')}.\n`);
const rows = [
  ['no hints', () => []],
  ['hints present', presentHints],
  ['irrelevant hints', () => testIrrelevant],
];
console.log('| hints on the streams | WER | librivox | cards |');
console.log('| --- | --- | --- | --- |');
for (const [name, hintsOf] of rows) {
  const finals = await decode(engine, testdata, hintsOf);
  const part = (voice) =>
    pct(
      score(
        testdata.filter((i) => i.voice === voice),
        finals,
      ),
    );
  console.log(
    `| ${name} | ${pct(score(testdata, finals))} | ${part('testdata librivox')} | ${part('testdata cards')} |`,
  );
  if (name !== 'no hints') {
    for (const r of [...finals.values()].flat().filter((f) => f.raw))
      console.log(`|   ↳ changed | "${r.raw.text}" → "${r.text}" | | |`);
  }
}
await engine.stop();
