import type { MediaParameter } from '@hookscribe/audiohook';

/**
 * Encoded frames shared by every session of a load run. All sessions play the same source from the same offsets
 * (a tone repeats every second), so a few distinct frames serve thousands of sessions and the simulator spends
 * its CPU on sockets rather than on µ-law encoding. Bounded: past `maxEntries` frames are encoded but not kept.
 */
export class EncodedFrameCache {
  private readonly frames = new Map<string, Uint8Array>();

  constructor(private readonly maxEntries = 4096) {}

  get size(): number {
    return this.frames.size;
  }

  get(media: MediaParameter, sourceOffset: number, samples: number, encode: () => Uint8Array): Uint8Array {
    const key = `${media.format}|${media.channels.join(',')}|${sourceOffset}|${samples}`;
    let frame = this.frames.get(key);
    if (!frame) {
      frame = encode();
      if (this.frames.size < this.maxEntries) this.frames.set(key, frame);
    }
    return frame;
  }
}
