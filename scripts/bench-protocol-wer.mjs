#!/usr/bin/env node
/* global process, console, Buffer */
/**
 * WER through the real protocol path (issue 12, item 4), as Genesys's acceptance measures it: hold calls (one
 * voice's utterances, each followed by 12 s of music on hold, packages/speech/scripts/pipeline-eval.mjs) written as
 * mono 8 kHz WAVs, streamed by hookscribe-sim to /api/v1/voicetranscription/ws of the built server at `--speed`
 * times real time (default 2), finals only. Each call is scored as one text: its finals in order against its
 * utterances' references joined (words in the music are insertions). Beside it, the same calls offline through
 * ChannelRecognizer (pipeline-eval's recogniseChannel), so a difference between the two paths shows.
 *
 * Scorers: "plain" = wer.mjs (lower-case, punctuation stripped) on the published text, which is in display form
 * ("$49.", "7703"); "display form" = both sides through the text stage first (wer-display-form.mjs); offline rows
 * score the engine's words (no text stage) with the plain scorer.
 *
 *   node scripts/bench-protocol-wer.mjs [--set dev|testdata] [--every N] [--speed 2]
 *
 * Needs `npx tsc -b`, and the dev set for --set dev (node packages/speech/devset/generate.mjs dev).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchServer } from './bench-server.mjs';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scripts = join(root, 'packages/speech/scripts');
const { loadSet } = await import(join(scripts, 'evaluate.mjs'));
const { benchEngine, holdCall, recogniseChannel } = await import(join(scripts, 'pipeline-eval.mjs'));
const { WerCounter } = await import(join(scripts, 'wer.mjs'));
const { DisplayFormWerCounter } = await import(join(scripts, 'wer-display-form.mjs'));

const { values } = parseArgs({
  options: {
    set: { type: 'string', default: 'dev' },
    every: { type: 'string', default: '1' },
    speed: { type: 'string', default: '2' },
  },
});
const KEY = 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh';
const SECRET = Buffer.from('MySuperSecretKeyTellNo-1!2@3#4$5').toString('base64');

function wav(pcm) {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.length * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.length * 2, 40);
  return Buffer.concat([header, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)]);
}

function startServer(dataDir) {
  return startBenchServer({
    dataDir,
    audiohookKeys: { [KEY]: SECRET },
    env: { HOOKSCRIBE_STT_PARTIALS: 'false' },
    collectStderr: true,
  });
}

function runSim(url, file) {
  return new Promise((resolvePromise) => {
    const child = spawn(
      process.execPath,
      [
        join(root, 'packages/sim/dist/cli.js'),
        ...['--url', `${url.replace('http', 'ws')}/api/v1/voicetranscription/ws`],
        ...['--api-key', KEY, '--secret', SECRET, '--wav', file, '--channels', 'external'],
        ...['--language', 'en-US', '--realtime', '--speed', values.speed, '--json', '--timeout', '120'],
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.once('exit', (code) => resolvePromise({ code, summary: JSON.parse(out) }));
  });
}

const seconds = (iso) => Number(/PT([\d.]+)S/.exec(iso ?? '')?.[1] ?? 0);
const pct = (c) => `${(100 * c.wer).toFixed(1)}% (${c.errors}/${c.words})`;

const items = loadSet(values.set, Number(values.every));
const byVoice = new Map();
for (const item of items) byVoice.set(item.voice, [...(byVoice.get(item.voice) ?? []), item]);
const calls = [...byVoice].map(([voice, voiceItems]) => ({ voice, ...holdCall(voiceItems) }));

const dataDir = mkdtempSync(join(tmpdir(), 'hookscribe-bench-protocol-wer-'));
const rows = [];
const totals = {
  protocol: new WerCounter(),
  display: new DisplayFormWerCounter(),
  offline: new WerCounter(),
};
const engine = benchEngine();
await engine.start();
const { child, url, warnings } = await startServer(dataDir);
try {
  for (const call of calls) {
    const reference = call.spans.map((s) => s.text).join(' ');
    const file = join(dataDir, `${call.voice.replace(/\W+/g, '-')}.wav`);
    writeFileSync(file, wav(call.pcm));
    const run = await runSim(url, file);
    const finals = run.summary.transcripts
      .filter((t) => t.isFinal)
      .sort((a, b) => seconds(a.offset) - seconds(b.offset));
    const hyp = finals.map((t) => t.text).join(' ');
    const offline = (await recogniseChannel(engine, call.pcm)).map((f) => f.text).join(' ');
    const row = { voice: call.voice, exit: run.code, finals: finals.length };
    for (const [name, counter, text] of [
      ['protocol', new WerCounter(), hyp],
      ['display', new DisplayFormWerCounter(), hyp],
      ['offline', new WerCounter(), offline],
    ]) {
      counter.add(reference, text);
      totals[name].add(reference, text);
      row[name] = pct(counter);
    }
    rows.push(row);
    console.error(JSON.stringify(row));
    if (process.env.VERBOSE) console.error(`  ref ${reference}\n  protocol ${hyp}\n  offline  ${offline}`);
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await engine.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(
  `Command: node scripts/bench-protocol-wer.mjs --set ${values.set} --every ${values.every} --speed ${values.speed} · ${new Date().toISOString()}, load ${loadavg()[0].toFixed(1)}\n`,
);
console.log(
  '| call (voice) | finals | protocol, plain scorer | protocol, display-form scorer | offline ChannelRecognizer (engine words) |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(`| ${r.voice} | ${r.finals} | ${r.protocol} | ${r.display} | ${r.offline} |`);
console.log(`| **all** | | ${pct(totals.protocol)} | ${pct(totals.display)} | ${pct(totals.offline)} |`);
const dropped = warnings.filter((w) => /drop|backlog|keep up|behind/i.test(w));
console.log(`\nserver warnings mentioning dropped audio or backlog: ${dropped.length}`);
for (const w of dropped.slice(0, 5)) console.log(`  ${w}`);
