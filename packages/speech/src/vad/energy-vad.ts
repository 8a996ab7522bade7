import type { VoiceActivityDetector } from './voice-activity-detector.js';

export interface EnergyVadOptions {
  /** frame length in samples at 8 kHz (default 160 = 20 ms) */
  frameSamples?: number;
  /** speech must be this many dB above the tracked noise floor (default 9) */
  marginDb?: number;
  /** frames quieter than this are never speech, whatever the floor (default -50 dBFS) */
  absoluteFloorDb?: number;
  /** window of the minimum-statistics noise floor (default 2000 ms) */
  floorWindowMs?: number;
  /** zero-crossing rate above which a frame counts as noise unless it is well above the floor (default 0.45) */
  noiseZeroCrossingRate?: number;
  /** high-pass (2nd-order Butterworth) before measuring energy, so rumble, hum and brown noise below the voice
   * band do not count (default 250 Hz, 0 = off) */
  highPassHz?: number;
}

/**
 * Energy + zero-crossing VAD with a minimum-statistics noise floor: the floor is the quietest frame of the last
 * ~2 s, so stationary noise (line hiss, hum) is learned within one window and never reads as speech, while speech,
 * which dips between syllables, keeps the floor low. Hangover lives in the Segmenter.
 */
export class EnergyVad implements VoiceActivityDetector {
  readonly name = 'energy';
  readonly frameSamples: number;
  private readonly marginDb: number;
  private readonly absoluteFloorDb: number;
  private readonly noiseZcr: number;
  private readonly window: Float64Array;
  private filled = 0;
  private next = 0;
  private readonly filter: { b0: number; b1: number; b2: number; a1: number; a2: number } | null;
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;

  constructor(options: EnergyVadOptions = {}) {
    this.frameSamples = options.frameSamples ?? 160;
    this.marginDb = options.marginDb ?? 9;
    this.absoluteFloorDb = options.absoluteFloorDb ?? -50;
    this.noiseZcr = options.noiseZeroCrossingRate ?? 0.45;
    const cutoff = options.highPassHz ?? 250;
    if (cutoff > 0) {
      // RBJ cookbook high-pass, Q = 1/sqrt(2), at 8 kHz
      const w0 = (2 * Math.PI * cutoff) / 8000;
      const alpha = Math.sin(w0) / Math.SQRT2;
      const cos = Math.cos(w0);
      const a0 = 1 + alpha;
      this.filter = {
        b0: (1 + cos) / 2 / a0,
        b1: -(1 + cos) / a0,
        b2: (1 + cos) / 2 / a0,
        a1: (-2 * cos) / a0,
        a2: (1 - alpha) / a0,
      };
    } else {
      this.filter = null;
    }
    const frames = Math.max(1, Math.round(((options.floorWindowMs ?? 2000) * 8) / this.frameSamples));
    this.window = new Float64Array(frames);
  }

  probability(frame: Int16Array): number {
    let energy = 0;
    let crossings = 0;
    let previous = 0;
    for (let i = 0; i < frame.length; i++) {
      const s = frame[i]!;
      let v = s;
      const f = this.filter;
      if (f) {
        v = f.b0 * s + f.b1 * this.x1 + f.b2 * this.x2 - f.a1 * this.y1 - f.a2 * this.y2;
        this.x2 = this.x1;
        this.x1 = s;
        this.y2 = this.y1;
        this.y1 = v;
      }
      energy += v * v;
      if (s >= 0 !== previous >= 0 && i > 0) crossings++;
      previous = s;
    }
    const db = 10 * Math.log10(energy / Math.max(1, frame.length) / (32768 * 32768) + 1e-10);
    const zcr = crossings / Math.max(1, frame.length - 1);
    this.window[this.next] = db;
    this.next = (this.next + 1) % this.window.length;
    if (this.filled < this.window.length) this.filled++;
    let floor = Infinity;
    for (let i = 0; i < this.filled; i++) floor = Math.min(floor, this.window[i]!);
    // Until a window of history exists the floor is only a guess: demand the absolute level too.
    const aboveFloor = db - floor - this.marginDb;
    const aboveAbsolute = db - this.absoluteFloorDb;
    if (aboveAbsolute < 0) return 0;
    let score = Math.min(aboveFloor, aboveAbsolute);
    // Hiss-like frames (high ZCR) need a clearly larger margin: fricatives pass inside the hangover anyway.
    if (zcr > this.noiseZcr) score -= 6;
    return 1 / (1 + Math.exp(-score / 2));
  }

  reset(): void {
    this.filled = 0;
    this.next = 0;
    this.x1 = this.x2 = this.y1 = this.y2 = 0;
  }

  release(): Promise<void> {
    return Promise.resolve();
  }
}
