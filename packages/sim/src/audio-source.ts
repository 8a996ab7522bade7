/**
 * Where a session's audio comes from. Sources are random access by stream position so that pauses and discards
 * simply skip ahead (the client's stream clock keeps running while nothing is sent, digest §6.3).
 */
export interface AudioSource {
  /** true when the source has one channel (it then feeds whichever single channel was negotiated, or external) */
  readonly mono: boolean;
  /** samples per channel the source holds; Infinity for generated audio */
  readonly lengthSamples: number;
  /**
   * Samples [offset, offset + count) as [external, internal]. Returned arrays may be views into shared buffers:
   * callers must not modify them. Past the end of the source they hold silence.
   */
  read(offsetSamples: number, count: number): [Int16Array, Int16Array];
  /** an offset whose audio is the same as at `offsetSamples` (a periodic source wraps it), for frame caching */
  contentOffset(offsetSamples: number): number;
}

export { SAMPLE_RATE } from '@hookscribe/audiohook';
