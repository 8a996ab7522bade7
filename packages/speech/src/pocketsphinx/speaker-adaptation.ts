/**
 * Per-speaker MLLR for the accurate post-call pass: one channel's first-pass finals (one speaker per AudioHook
 * channel) → the decoder's features of that audio → sphinxtrain `bw` (forward-backward against the first-pass words,
 * the model seen through the phone-channel transform) → `mllr_solve` → a -mllr file for a decoder that re-decodes
 * the channel. Unsupervised: the transcript is the recogniser's own, errors included; utterances below a confidence
 * and channels with too little speech are left out. Measured in docs/benchmarks/stt-capacity.md.
 *
 * Tools are Debian's: sphinxtrain (bw, mllr_solve), sphinxbase-utils (sphinx_fe), pocketsphinx
 * (pocketsphinx_mdef_convert: bw reads only the text model definition). All run as child processes at low priority
 * in a temp dir that is removed with the transform (dispose) or on failure.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { phoneTo16k, type PhoneFrontEndOptions } from '../frontend/phone-front-end.js';
import { defaultPocketsphinxConfig, type PocketsphinxConfig } from './config.js';

export interface SpeakerAdaptationOptions {
  /** acoustic model directory (mdef, means, variances, transition_matrices, sendump, noisedict, feat.params) */
  hmm: string;
  dict: string;
  /** the phone-channel transform the first pass decoded with: bw aligns through it */
  channelMllr: string | null;
  frontEnd: PhoneFrontEndOptions;
  /** channels with less confident first-pass speech than this keep their first-pass transcript */
  minSpeechSeconds: number;
  /** first-pass utterances below this confidence (0..1) are not used for the estimate */
  minConfidence: number;
  /** nice value of the tools (post-call work only takes CPU that live calls leave idle) */
  niceness: number;
  /** where bw and mllr_solve live */
  sphinxtrainDir: string;
  sphinxFe: string;
  mdefConvert: string;
  /** the channel's speaker warp (inverse_linear VTLN): the features are fitted warped, for a warped re-decode */
  warp?: number | null;
  signal?: AbortSignal;
}

export const DEFAULT_SPEAKER_ADAPTATION: Omit<
  SpeakerAdaptationOptions,
  'hmm' | 'dict' | 'channelMllr' | 'frontEnd' | 'signal'
> = {
  // a full 3×(13×13+13) transform from less speech than this is mostly noise (testdata cards: 10 s, no gain)
  minSpeechSeconds: 20,
  minConfidence: 0,
  niceness: 19,
  sphinxtrainDir: '/usr/lib/sphinxtrain',
  sphinxFe: 'sphinx_fe',
  mdefConvert: 'pocketsphinx_mdef_convert',
};

/** The adaptation settings for a decoder configuration's model, dictionary, channel transform and front end. */
export function speakerAdaptationFor(
  decoder: Pick<PocketsphinxConfig, 'hmm' | 'dict' | 'mllr' | 'frontEnd'> = defaultPocketsphinxConfig(),
): Omit<SpeakerAdaptationOptions, 'signal'> {
  return {
    ...DEFAULT_SPEAKER_ADAPTATION,
    hmm: decoder.hmm,
    dict: decoder.dict,
    channelMllr: decoder.mllr,
    frontEnd: decoder.frontEnd,
  };
}

/** one first-pass final of the channel: its audio (8 kHz, as AudioHook delivers it) and the recogniser's words */
export interface AdaptationUtterance {
  pcm8k: Int16Array;
  words: string;
  confidence: number;
}

/** the channel gave too little to estimate from: not an error, the first pass stands */
export class SpeakerAdaptationSkipped extends Error {
  override name = 'SpeakerAdaptationSkipped';
}

/** a tool is missing or failed */
export class SpeakerAdaptationFailed extends Error {
  override name = 'SpeakerAdaptationFailed';
}

export interface SpeakerTransform {
  /** the -mllr file (replaces the channel transform: it maps the model's own means onto this speaker) */
  path: string;
  speechSeconds: number;
  utterances: number;
  /** removes the temp dir */
  dispose(): Promise<void>;
}

const FE_PARAMS = new Set(['-lowerf', '-upperf', '-nfilt', '-transform', '-lifter']);
const FEAT_PARAMS = new Set(['-feat', '-svspec', '-cmn', '-agc', '-varnorm']);

/** Estimates a transform for one speaker; rejects with SpeakerAdaptationSkipped or SpeakerAdaptationFailed. */
export async function fitSpeakerTransform(
  utterances: readonly AdaptationUtterance[],
  options: SpeakerAdaptationOptions,
): Promise<SpeakerTransform> {
  const dictionary = await dictionaryWords(options.dict);
  const usable: { pcm8k: Int16Array; words: string[] }[] = [];
  let samples = 0;
  for (const u of utterances) {
    const words = u.words.toLowerCase().split(/\s+/).filter(Boolean);
    // a word bw cannot look up (a vocabulary word added at run time) would fail the utterance
    if (words.length === 0 || u.confidence < options.minConfidence || !words.every((w) => dictionary.has(w)))
      continue;
    usable.push({ pcm8k: u.pcm8k, words });
    samples += u.pcm8k.length;
  }
  const speechSeconds = samples / 8000;
  if (speechSeconds < options.minSpeechSeconds)
    throw new SpeakerAdaptationSkipped(
      `${speechSeconds.toFixed(1)} s of usable first-pass speech (${usable.length} utterances); at least ${options.minSpeechSeconds} s needed`,
    );

  const dir = await mkdtemp(join(tmpdir(), 'hookscribe-mllr-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const feat = await modelParams(options.hmm);
    const ids = usable.map((_, i) => `u${i}`);
    await Promise.all(
      usable.map((u, i) => {
        const pcm = phoneTo16k(u.pcm8k, options.frontEnd);
        return writeFile(
          join(dir, `${ids[i]}.raw`),
          new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength),
        );
      }),
    );
    await writeFile(join(dir, 'ctl'), ids.join('\n') + '\n');
    await writeFile(
      join(dir, 'lsn'),
      usable.map((u, i) => `${u.words.join(' ')} (${ids[i]})`).join('\n') + '\n',
    );
    const run = (tool: string, args: string[]) => runTool(tool, args, options);
    // features exactly as the decoder computes them: the model's front-end parameters, 16 kHz after the front end
    await run(options.sphinxFe, [
      ...['-c', join(dir, 'ctl'), '-di', dir, '-do', dir, '-ei', 'raw', '-eo', 'mfc'],
      ...['-raw', 'yes', '-input_endian', 'little', '-samprate', '16000', '-dither', 'no'],
      ...feat.filter(([k]) => FE_PARAMS.has(k)).flat(),
      ...(options.warp ? ['-warp_type', 'inverse_linear', '-warp_params', String(options.warp)] : []),
    ]);
    await run(options.mdefConvert, ['-text', join(options.hmm, 'mdef'), join(dir, 'mdef')]);
    await writeFile(
      join(dir, 'mixture_weights'),
      mixtureWeightsFromSendump(await readFile(join(options.hmm, 'sendump'))),
    );
    const trainer = (name: string) => join(options.sphinxtrainDir, name);
    await run(trainer('bw'), [
      ...['-moddeffn', join(dir, 'mdef'), '-ts2cbfn', '.ptm.', '-mixwfn', join(dir, 'mixture_weights')],
      ...['-meanfn', join(options.hmm, 'means'), '-varfn', join(options.hmm, 'variances')],
      ...['-tmatfn', join(options.hmm, 'transition_matrices'), '-fdictfn', join(options.hmm, 'noisedict')],
      ...['-dictfn', options.dict, '-ctlfn', join(dir, 'ctl'), '-lsnfn', join(dir, 'lsn')],
      ...['-cepdir', dir, '-accumdir', dir, '-timing', 'no'],
      ...feat.filter(([k]) => FEAT_PARAMS.has(k)).flat(),
      ...(options.channelMllr ? ['-mllrmat', options.channelMllr] : []),
    ]);
    const path = join(dir, 'speaker.mllr');
    // solved against the model's own means, not the channel-adapted ones: on the dev set that beat composing a
    // speaker transform onto the channel transform (30.8% vs 33.9% WER)
    await run(trainer('mllr_solve'), [
      ...['-meanfn', join(options.hmm, 'means'), '-varfn', join(options.hmm, 'variances')],
      ...['-accumdir', dir, '-outmllrfn', path],
    ]);
    checkTransform(await readFile(path, 'utf8'));
    return { path, speechSeconds, utterances: usable.length, dispose };
  } catch (err) {
    await dispose();
    if (err instanceof SpeakerAdaptationFailed) throw err;
    throw new SpeakerAdaptationFailed((err as Error).message, { cause: err });
  }
}

function runTool(tool: string, args: string[], options: SpeakerAdaptationOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      tool,
      args,
      { maxBuffer: 16 << 20, ...(options.signal ? { signal: options.signal } : {}) },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        const code = (err as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT'
            ? 'not installed (apt-get install sphinxtrain sphinxbase-utils pocketsphinx)'
            : `failed: ${lastLines(stderr)}`;
        reject(new SpeakerAdaptationFailed(`${tool} ${why}`, { cause: err }));
      },
    );
    if (child.pid !== undefined && options.niceness)
      try {
        setPriority(child.pid, options.niceness);
      } catch {
        // not permitted here: the tool runs at normal priority
      }
  });
}

function lastLines(text: string): string {
  const lines = text.trim().split('\n');
  const errors = lines.filter((l) => /ERROR|FATAL/.test(l));
  return (errors.length ? errors : lines).slice(-3).join(' | ') || '(no output)';
}

/** the model's feat.params as [flag, value] pairs */
async function modelParams(hmm: string): Promise<[string, string][]> {
  return (await readFile(join(hmm, 'feat.params'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((p): p is [string, string] => p.length === 2);
}

const dictionaries = new Map<string, Promise<Set<string>>>();

/** headwords of a pocketsphinx dictionary (read once per path) */
function dictionaryWords(path: string): Promise<Set<string>> {
  let words = dictionaries.get(path);
  if (!words) {
    words = readFile(path, 'utf8').then((text) => {
      const set = new Set<string>();
      for (const line of text.split('\n')) {
        const word = line.slice(0, line.search(/\s/)).replace(/\(\d+\)$/, '');
        if (word) set.add(word);
      }
      return set;
    });
    words.catch(() => dictionaries.delete(path));
    dictionaries.set(path, words);
  }
  return words;
}

/**
 * pocketsphinx's quantised mixture weights (sendump: per feature stream and codeword, one byte per senone, the
 * negative log in base 1.0001 shifted right by 10) → the Sphinx-3 float file bw reads (senone × stream × codeword).
 * The layout is the one sphinxtrain's sendump.py reads.
 */
export function mixtureWeightsFromSendump(sendump: Buffer): Buffer {
  let offset = 0;
  let streams = 0;
  let shift = 10;
  for (;;) {
    const length = sendump.readUInt32LE(offset);
    offset += 4;
    if (length === 0) break;
    const line = sendump.toString('latin1', offset, offset + length - 1);
    offset += length;
    const [key, value] = line.split(' ');
    if (key === 'feature_count') streams = Number(value);
    if (key === 'mixw_shift') shift = Number(value);
    if (key === 'cluster_count' && Number(value) !== 0)
      throw new SpeakerAdaptationFailed('clustered sendump files are not supported');
  }
  const codewords = sendump.readUInt32LE(offset);
  const senones = sendump.readUInt32LE(offset + 4);
  offset += 8;
  if (!streams || offset + streams * codewords * senones > sendump.length)
    throw new SpeakerAdaptationFailed('sendump: unexpected layout');
  const weights = new Float32Array(senones * streams * codewords);
  for (let f = 0; f < streams; f++)
    for (let c = 0; c < codewords; c++)
      for (let s = 0; s < senones; s++)
        weights[(s * streams + f) * codewords + c] = 1.0001 ** -(sendump[offset++]! << shift);
  const header = Buffer.from('s3\nversion 1.0\n  endhdr\n', 'latin1'); // 24 bytes: data on a 4-byte boundary
  const dims = Buffer.alloc(20);
  dims.writeInt32LE(0x11223344, 0); // byte-order mark
  dims.writeUInt32LE(senones, 4);
  dims.writeUInt32LE(streams, 8);
  dims.writeUInt32LE(codewords, 12);
  dims.writeUInt32LE(weights.length, 16);
  return Buffer.concat([header, dims, Buffer.from(weights.buffer)]);
}

/** mllr_solve can write NaN from degenerate statistics; such a file would break every decode */
function checkTransform(text: string): void {
  const values = text.trim().split(/\s+/).map(Number);
  if (values.length < 3 || values.some((v) => !Number.isFinite(v)))
    throw new SpeakerAdaptationFailed('mllr_solve wrote an unusable transform (non-finite values)');
}
