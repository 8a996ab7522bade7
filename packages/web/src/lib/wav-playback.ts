/**
 * Plays a decoded recording through Web Audio and reports the playback position, which drives word highlighting.
 * The AudioContext is created on the first play() (browsers allow audio only after a user gesture).
 */
import type { DecodedWav } from './mulaw-wav.js';

export type AudioContextFactory = () => AudioContext;

export class WavPlayback {
  private context: AudioContext | null = null;
  private buffer: AudioBuffer | null = null;
  private source: AudioBufferSourceNode | null = null;
  /** playback position when the current source started, and the context time it started at */
  private startPosition = 0;
  private startContextTime = 0;
  private pausedAt = 0;
  onEnded: () => void = () => undefined;

  constructor(
    private readonly wav: DecodedWav,
    private readonly createContext: AudioContextFactory = () => new AudioContext(),
  ) {}

  get duration(): number {
    return this.wav.durationSeconds;
  }

  get playing(): boolean {
    return this.source !== null;
  }

  get currentTime(): number {
    if (!this.source || !this.context) return this.pausedAt;
    return Math.min(this.duration, this.startPosition + (this.context.currentTime - this.startContextTime));
  }

  async play(): Promise<void> {
    if (this.source) return;
    if (!this.context) {
      this.context = this.createContext();
      this.buffer = this.context.createBuffer(
        this.wav.channels.length,
        this.wav.channels[0]!.length,
        this.wav.sampleRate,
      );
      this.wav.channels.forEach((samples, c) =>
        this.buffer!.copyToChannel(samples as Float32Array<ArrayBuffer>, c),
      );
    }
    if (this.context.state === 'suspended') await this.context.resume();
    if (this.pausedAt >= this.duration) this.pausedAt = 0;
    const source = this.context.createBufferSource();
    source.buffer = this.buffer;
    source.connect(this.context.destination);
    source.onended = () => {
      if (this.source !== source) return; // stopped for a seek or pause
      this.source = null;
      this.pausedAt = this.duration;
      this.onEnded();
    };
    this.startPosition = this.pausedAt;
    this.startContextTime = this.context.currentTime;
    this.source = source;
    source.start(0, this.pausedAt);
  }

  pause(): void {
    if (!this.source) return;
    this.pausedAt = this.currentTime;
    this.stopSource();
  }

  async seek(position: number): Promise<void> {
    const wasPlaying = this.playing;
    this.stopSource();
    this.pausedAt = Math.max(0, Math.min(position, this.duration));
    if (wasPlaying) await this.play();
  }

  close(): void {
    this.stopSource();
    void this.context?.close();
    this.context = null;
  }

  private stopSource(): void {
    const source = this.source;
    this.source = null;
    if (source) {
      source.onended = null;
      try {
        source.stop();
      } catch {
        // already stopped
      }
      source.disconnect();
    }
  }
}
