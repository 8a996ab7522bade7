import type { AudioSource } from './audio-source.js';
import type { AudioInput } from './options.js';
import { ToneSource } from './tone-source.js';
import { WavSource } from './wav-source.js';

/** The AudioSource an --wav / --tone option names. Throws WavSourceError for an unusable file. */
export async function openSource(input: AudioInput): Promise<AudioSource> {
  return input.kind === 'wav' ? WavSource.load(input.path) : new ToneSource(input.hz);
}
