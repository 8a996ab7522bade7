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
  ) {
    this.lengthSamples = external.length;
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
    // past the end everything is silence
    return Math.min(offsetSamples, this.lengthSamples);
  }

  read(offsetSamples: number, count: number): [Int16Array, Int16Array] {
    return [slice(this.external, offsetSamples, count), slice(this.internal, offsetSamples, count)];
  }
}

function slice(data: Int16Array, offset: number, count: number): Int16Array {
  if (offset + count <= data.length) return data.subarray(offset, offset + count);
  const out = new Int16Array(count);
  if (offset < data.length) out.set(data.subarray(offset));
  return out;
}
