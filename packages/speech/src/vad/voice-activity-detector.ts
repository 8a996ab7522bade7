/** A frame classifier: how likely one fixed-size frame of 8 kHz PCM is speech. The Segmenter turns it into utterances. */
export interface VoiceActivityDetector {
  readonly name: string;
  /** samples per frame at 8 kHz; the caller always passes exactly this many */
  readonly frameSamples: number;
  /** 0..1; may be async (ONNX models) — callers await it in order */
  probability(frame: Int16Array): number | Promise<number>;
  /**
   * Optional batch form, for detectors on another thread: the probabilities of `count` consecutive frames laid
   * back to back in `frames` (count × frameSamples samples), in order, as `probability` would give them one by one
   * — one round trip instead of one per frame. `frames` is handed over (a detector on another thread may transfer
   * its buffer): the caller passes a buffer of its own.
   */
  probabilities?(frames: Int16Array, count: number): Promise<ArrayLike<number>>;
  /** forget adaptation state (new stream) */
  reset(): void;
  release(): Promise<void>;
}
