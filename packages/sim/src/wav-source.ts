import { readFile } from 'node:fs/promises';
import { decodeFrame, parseWav, WavFormatError } from '@hookscribe/audiohook';
import { SAMPLE_RATE, type AudioSource } from './audio-source.js';

/** A WAV file could not be used; main() reports it as a usage error (exit 2). */
export class WavSourceError extends Error {}

/**
 * An 8 kHz WAV (µ-law or 16-bit PCM, mono or stereo) decoded once into one Int16Array per channel.
 * Stereo: channel 0 is external (customer), channel 1 internal (agent).
 */
export class WavSource implements AudioSource {
  readonly lengthSamples: number;

  private constructor(
    readonly mono: boolean,
    private readonly external: Int16Array,
    private readonly internal: Int16Array,
    /** samples per repeat, or null when the file plays once */
    private readonly period: number | null = null,
  ) {
    this.lengthSamples = period === null ? external.length : Infinity;
  }

  /**
   * The same audio repeated forever, each repeat padded with silence to a whole second: every repeat starts on the
   * same frame grid for any frame length that divides a second, so a load run's encoded frames stay shareable.
   */
  looped(): WavSource {
    const period = Math.max(1, Math.ceil(this.external.length / SAMPLE_RATE)) * SAMPLE_RATE;
    const pad = (data: Int16Array) => {
      const out = new Int16Array(period);
      out.set(data);
      return out;
    };
    return new WavSource(this.mono, pad(this.external), pad(this.internal), period);
  }

  static async load(path: string): Promise<WavSource> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (err) {
      throw new WavSourceError(`cannot read ${path}: ${(err as Error).message}`);
    }
    return WavSource.fromBytes(bytes, path);
  }

  static fromBytes(bytes: Uint8Array, name = 'WAV'): WavSource {
    let wav;
    try {
      wav = parseWav(bytes);
    } catch (err) {
      if (err instanceof WavFormatError) throw new WavSourceError(`${name}: ${err.message}`);
      throw err;
    }
    if (wav.sampleRate !== SAMPLE_RATE) {
      throw new WavSourceError(`${name}: sample rate is ${wav.sampleRate} Hz; AudioHook audio is 8000 Hz`);
    }
    if (wav.channels > 2) throw new WavSourceError(`${name}: ${wav.channels} channels; need mono or stereo`);
    const channels = decodeFrame(wav.data, {
      format: wav.format,
      channels: wav.channels === 2 ? ['external', 'internal'] : ['external'],
    });
    const external = channels[0]!;
    const internal = channels[1] ?? new Int16Array(external.length);
    return new WavSource(wav.channels === 1, external, internal);
  }

  contentOffset(offsetSamples: number): number {
    if (this.period !== null) return offsetSamples % this.period;
    // past the end everything is silence
    return Math.min(offsetSamples, this.lengthSamples);
  }

  read(offsetSamples: number, count: number): [Int16Array, Int16Array] {
    const offset = this.contentOffset(offsetSamples);
    const read = this.period === null ? slice : wrappedSlice;
    return [read(this.external, offset, count), read(this.internal, offset, count)];
  }
}

function slice(data: Int16Array, offset: number, count: number): Int16Array {
  if (offset + count <= data.length) return data.subarray(offset, offset + count);
  const out = new Int16Array(count);
  if (offset < data.length) out.set(data.subarray(offset));
  return out;
}

/** `count` samples from `offset` of a repeating `data` (a frame may span the end of one repeat). */
function wrappedSlice(data: Int16Array, offset: number, count: number): Int16Array {
  if (offset + count <= data.length) return data.subarray(offset, offset + count);
  const out = new Int16Array(count);
  for (let filled = 0, at = offset; filled < count; at = 0) {
    const part = data.subarray(at, Math.min(data.length, at + count - filled));
    out.set(part, filled);
    filled += part.length;
  }
  return out;
}
