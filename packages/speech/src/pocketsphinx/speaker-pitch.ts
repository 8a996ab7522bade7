/**
 * The voice pitch of a channel's first speech, for choosing its vocal-tract-length warp (VTLN). The en-US model was
 * trained mostly on adult male-range voices; a higher voice has shorter formant spacing, which a frequency warp of
 * the filterbank (pocketsphinx -warp_type inverse_linear) moves back towards the model. Pitch separates the two
 * groups cleanly (measured medians: male voices 89–104 Hz, female 170–200 Hz; docs/speech-embedded.md), and costs
 * a few milliseconds per channel: analysis stops once enough voiced frames are in.
 *
 * Method: normalised autocorrelation over 40 ms windows every 20 ms of 8 kHz audio, lags for 70–400 Hz; a frame is
 * voiced when it is loud enough and its best normalised correlation exceeds 0.7. The median of the voiced frames'
 * pitch is robust to the odd octave error.
 */

const RATE = 8000;
const WINDOW = 320;
const HOP = 160;
const MIN_LAG = 20; // 400 Hz
const MAX_LAG = 114; // 70 Hz
/** mean square of a frame below which it is not analysed (≈ −40 dBFS: pauses and line noise) */
const MIN_ENERGY = 300 * 300;
const MIN_CORRELATION = 0.7;

export class SpeakerPitchEstimate {
  private readonly pitches: number[] = [];
  /** audio not yet analysed: the tail of the last write, shorter than a window plus the longest lag */
  private pending = new Int16Array(0);

  /** @param voicedFrames how many voiced frames decide (100 ≈ 2 s of voiced speech at a 20 ms hop) */
  constructor(private readonly voicedFrames: number) {}

  /** true once enough voiced frames are in; writes after that are ignored */
  get settled(): boolean {
    return this.pitches.length >= this.voicedFrames;
  }

  /** median pitch of the voiced frames so far, in Hz; null before the first voiced frame */
  get medianHz(): number | null {
    if (this.pitches.length === 0) return null;
    const sorted = [...this.pitches].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }

  /** 8 kHz audio of the channel, in order */
  write(pcm: Int16Array): void {
    if (this.settled) return;
    const audio = new Int16Array(this.pending.length + pcm.length);
    audio.set(this.pending);
    audio.set(pcm, this.pending.length);
    let start = 0;
    for (; start + WINDOW + MAX_LAG <= audio.length && !this.settled; start += HOP)
      this.analyse(audio, start);
    this.pending = this.settled ? new Int16Array(0) : audio.slice(start);
  }

  private analyse(audio: Int16Array, start: number): void {
    let e0 = 0;
    for (let i = start; i < start + WINDOW; i++) e0 += audio[i]! * audio[i]!;
    if (e0 / WINDOW < MIN_ENERGY) return;
    let best = 0;
    let bestLag = 0;
    for (let lag = MIN_LAG; lag <= MAX_LAG; lag++) {
      let c = 0;
      let e1 = 0;
      for (let i = start; i < start + WINDOW; i++) {
        const x = audio[i + lag]!;
        c += audio[i]! * x;
        e1 += x * x;
      }
      const r = c / Math.sqrt(e0 * e1 + 1);
      if (r > best) {
        best = r;
        bestLag = lag;
      }
    }
    if (best > MIN_CORRELATION) this.pitches.push(RATE / bestLag);
  }
}

/** how a channel's warp is chosen from its pitch */
export interface SpeakerWarpPolicy {
  /** inverse_linear warp factor for voices pitched at or above `pitchThresholdHz` */
  highPitchWarp: number;
  pitchThresholdHz: number;
  /** voiced frames (20 ms hop) that decide the channel's warp */
  voicedFrames: number;
}

/** the warp for a settled estimate: null (no warp) for lower voices */
export function warpForPitch(medianHz: number, policy: SpeakerWarpPolicy): number | null {
  return medianHz >= policy.pitchThresholdHz ? policy.highPitchWarp : null;
}

/**
 * The warp a live decode of this channel settles on (its first voiced speech, as the engine estimates it while the
 * audio arrives), for a pass over its whole recording: null when the voice is low or never gives enough voiced
 * frames.
 */
export function channelWarp(pcm8k: Int16Array, policy: SpeakerWarpPolicy): number | null {
  const estimate = new SpeakerPitchEstimate(policy.voicedFrames);
  estimate.write(pcm8k);
  return estimate.settled ? warpForPitch(estimate.medianHz!, policy) : null;
}
