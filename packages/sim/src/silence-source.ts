import type { AudioSource } from './audio-source.js';

/** Digital silence on both channels: transport load without speech activity for the server's voice detector. */
export class SilenceSource implements AudioSource {
  readonly mono = false;
  readonly lengthSamples = Infinity;
  private zeros = new Int16Array(0);

  contentOffset(): number {
    return 0;
  }

  read(_offsetSamples: number, count: number): [Int16Array, Int16Array] {
    if (this.zeros.length < count) this.zeros = new Int16Array(count);
    const frame = this.zeros.subarray(0, count);
    return [frame, frame];
  }
}
