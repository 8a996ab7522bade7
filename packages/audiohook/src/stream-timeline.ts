/**
 * The client's stream timeline (digest §6.3, MUST 22): position = samples received per channel + every span the
 * client reported as discarded (`discarded` and `resumed` messages). Never wall-clock time, never a frame-size guess.
 */
import type { Duration } from './contract.js';
import { durationToSamples } from './duration.js';

export class StreamTimeline {
  private received = 0;
  private discarded = 0;

  /** Current stream position in samples (8 kHz). */
  get positionSamples(): number {
    return this.received + this.discarded;
  }

  get receivedSamples(): number {
    return this.received;
  }

  get discardedSamples(): number {
    return this.discarded;
  }

  /** Counts a frame of `samplesPerChannel`; returns the stream position of its first sample. */
  addAudio(samplesPerChannel: number): number {
    const start = this.positionSamples;
    this.received += samplesPerChannel;
    return start;
  }

  /**
   * Adds a span the client will never send (from `discarded` or `resumed`). Returns the drift in samples between
   * where the client says the stream continues (`start + discarded`) and our position afterwards (0 = consistent).
   */
  addDiscarded(startSamples: number, discardedSamples: number): number {
    this.discarded += discardedSamples;
    return startSamples + discardedSamples - this.positionSamples;
  }

  /** Client `position` minus our position, in samples (0 = consistent). */
  positionDrift(clientPosition: Duration): number {
    return durationToSamples(clientPosition) - this.positionSamples;
  }
}
