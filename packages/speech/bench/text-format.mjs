#!/usr/bin/env node
/* global console, process */
// Text after recognition (src/text): what it costs and what it does to WER as the standard script scores it.
//
//   npx tsc -b packages/speech && node packages/speech/bench/text-format.mjs [--decode testdata,dev] [--verbose]
//
// 1. CPU: formatRecognition on every dev-set and pocketsphinx-testdata reference sentence, as timed results.
// 2. Perfect transcripts: each reference against its own display form, scored by wer.mjs (the standard script) and
//    by wer-display-form.mjs (both sides in display form). The first is what the stage alone adds to a WER that
//    compares display text with lower-case references.
// 3. --decode: the engine's own hypotheses (phone channel, engine default decoder) on pocketsphinx-testdata and/or
//    the dev set (node packages/speech/devset/generate.mjs dev first), scored raw, formatted with the standard
//    script, and formatted with the display-form scorer.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { formatRecognition, formatText } = await import(join(here, '../dist/text/text-formatter.js'));
const { WerCounter, normalise } = await import(join(here, '../scripts/wer.mjs'));
const { DisplayFormWerCounter } = await import(join(here, '../scripts/wer-display-form.mjs'));

const testdataDir = '/usr/share/pocketsphinx/test/data';
const transcription = (file) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) =>
      line
        .replace(/\([^)]*\)\s*$/, '')
        .replace(/<\/?s>/g, ' ')
        .trim(),
    );
const sets = {
  dev: readFileSync(join(here, '../devset/sentences.txt'), 'utf8').trim().split('\n'),
  testdata: [
    ...transcription(`${testdataDir}/librivox/transcription`),
    ...transcription(`${testdataDir}/cards/cards.transcription`),
  ],
};
const pct = (x) => `${(100 * x).toFixed(1)}%`;
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (shared 2-core machine)`,
);

// 1. CPU
const WORD = 0.35 * 8000; // a word every 350 ms
const results = Object.values(sets)
  .flat()
  .map((sentence, n) => {
    const words = sentence.split(/\s+/).map((text, i) => ({
      text,
      startSample: i * WORD,
      durationSamples: WORD - 400,
      confidence: 0.8,
    }));
    return {
      utteranceId: `u${n}`,
      isFinal: true,
      text: sentence,
      words,
      startSample: 0,
      durationSamples: words.length * WORD,
      confidence: 0.8,
      language: 'en-US',
      engine: 'bench',
    };
  });
const wordCount = results.reduce((sum, r) => sum + r.words.length, 0);
for (let i = 0; i < 50; i++) for (const r of results) formatRecognition(r); // warm up
const passes = 400;
const cpu0 = process.cpuUsage();
for (let i = 0; i < passes; i++) for (const r of results) formatRecognition(r);
const cpu = process.cpuUsage(cpu0);
const seconds = (cpu.user + cpu.system) / 1e6;
const perUtterance = (seconds / (passes * results.length)) * 1e6;
const perWord = (seconds / (passes * wordCount)) * 1e6;
console.log(`\n## CPU`);
console.log(
  `${results.length} utterances (${wordCount} words) × ${passes} passes: ${seconds.toFixed(2)} s CPU`,
);
console.log(`per final: ${perUtterance.toFixed(1)} µs; per word: ${perWord.toFixed(2)} µs`);
console.log(
  `at 3 words per second of speech: ${(perWord * 3).toFixed(1)} µs CPU per audio second = ${((perWord * 3) / 1e4).toFixed(4)} % of a core per channel`,
);

// 2. perfect transcripts
console.log(`\n## WER of a perfect transcript after the text stage`);
console.log('| set | words | utterances changed | standard script (wer.mjs) | display-form scorer |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, sentences] of Object.entries(sets)) {
  const standard = new WerCounter();
  const display = new DisplayFormWerCounter();
  let changed = 0;
  for (const sentence of sentences) {
    const written = formatText(sentence);
    if (normalise(written).join(' ') !== normalise(sentence).join(' ')) changed++;
    standard.add(sentence, written);
    display.add(sentence, written);
  }
  console.log(
    `| ${name} | ${standard.words} | ${changed} of ${sentences.length} | ${pct(standard.wer)} | ${pct(display.wer)} |`,
  );
}
if (process.argv.includes('--verbose'))
  for (const sentence of Object.values(sets).flat()) {
    const written = formatText(sentence);
    if (normalise(written).join(' ') !== normalise(sentence).join(' '))
      console.log(`  ${sentence}\n→ ${written}`);
  }

// 3. real hypotheses
const decodeAt = process.argv.indexOf('--decode');
if (decodeAt >= 0) {
  const { evaluate, loadSet } = await import(join(here, '../scripts/evaluate.mjs'));
  const { defaultPocketsphinxConfig, TUNED_DECODER } = await import(
    join(here, '../dist/pocketsphinx/config.js')
  );
  const defaults = defaultPocketsphinxConfig();
  for (const set of (process.argv[decodeAt + 1] ?? 'testdata').split(',')) {
    const items = loadSet(set, 1);
    const run = evaluate(
      {
        name: 'engine default',
        input: 'phone',
        rms: defaults.frontEnd.bandNoiseRms,
        mllr: defaults.mllr,
        featparams: defaults.featParams,
        args: Object.entries(TUNED_DECODER).flatMap(([k, v]) => [`-${k}`, String(v)]),
      },
      items,
    );
    const raw = new WerCounter();
    const standard = new WerCounter();
    const display = new DisplayFormWerCounter();
    run.hyps.forEach(({ hyp }, i) => {
      const ref = items[i].text;
      raw.add(ref, hyp);
      standard.add(ref, formatText(hyp));
      display.add(ref, formatText(hyp));
    });
    console.log(`\n## ${set}, engine hypotheses (${raw.words} words)`);
    console.log('| scoring | WER |');
    console.log('| --- | --- |');
    console.log(`| raw engine words, standard script | ${pct(raw.wer)} |`);
    console.log(`| after the text stage, standard script | ${pct(standard.wer)} |`);
    console.log(`| after the text stage, display-form scorer | ${pct(display.wer)} |`);
  }
}
console.log(
  `\nload average at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
