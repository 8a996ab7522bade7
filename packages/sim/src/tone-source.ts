import { SAMPLE_RATE, type AudioSource } from './audio-source.js';

/**
 * A sine tone: `hz` on the external channel and 1.5 × `hz` on the internal one, so the two channels are told apart
 * in a recording. One second of each is computed once and shared by every session with the same tone, which keeps
 * a 5,000-session load run from spending its time in Math.sin.
 */
export class ToneSource implements AudioSource {
  readonly mono = false;
  readonly lengthSamples = Infinity;
  private readonly external: Int16Array;
  private readonly internal: Int16Array;

  private static readonly cache = new Map<number, [Int16Array, Int16Array]>();

  constructor(readonly hz: number) {
    let tables = ToneSource.cache.get(hz);
    if (!tables) {
      tables = [sineSecond(hz), sineSecond(hz * 1.5)];
      ToneSource.cache.set(hz, tables);
    }
    [this.external, this.internal] = tables;
  }

  contentOffset(offsetSamples: number): number {
    return offsetSamples % SAMPLE_RATE;
  }

  read(offsetSamples: number, count: number): [Int16Array, Int16Array] {
    return [loopRead(this.external, offsetSamples, count), loopRead(this.internal, offsetSamples, count)];
  }
}

/**
 * One second of the tone. A whole second loops without a click only for whole-number frequencies; other values
 * are rounded to the nearest 1/SAMPLE_RATE-periodic one, which is inaudible for a test signal.
 */
function sineSecond(hz: number): Int16Array {
  const cycles = Math.max(1, Math.round(hz));
  const table = new Int16Array(SAMPLE_RATE);
  for (let i = 0; i < SAMPLE_RATE; i++) {
    table[i] = Math.round(8000 * Math.sin((2 * Math.PI * cycles * i) / SAMPLE_RATE));
  }
  return table;
}

function loopRead(table: Int16Array, offset: number, count: number): Int16Array {
  const start = offset % table.length;
  if (start + count <= table.length) return table.subarray(start, start + count);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = table[(start + i) % table.length]!;
  return out;
}
