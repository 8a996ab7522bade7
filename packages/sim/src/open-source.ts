import type { AudioSource } from './audio-source.js';
import type { AudioInput } from './options.js';
import { SilenceSource } from './silence-source.js';
import { ToneSource } from './tone-source.js';
import { WavSource } from './wav-source.js';

/** The AudioSource an --wav / --tone / --silence option names. Throws WavSourceError for an unusable file. */
export async function openSource(input: AudioInput): Promise<AudioSource> {
  if (input.kind === 'wav') {
    const wav = await WavSource.load(input.path);
    return input.loop ? wav.looped() : wav;
  }
  return input.kind === 'silence' ? new SilenceSource() : new ToneSource(input.hz);
}
