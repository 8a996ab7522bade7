/**
 * Binary audio frames (digest §6.1): headerless samples interleaved sample by sample in the order of the negotiated
 * `channels` array. A frame must hold whole samples for every channel.
 */
import type { MediaFormat, MediaParameter } from './contract.js';
import { MULAW_DECODE_TABLE, mulawEncodeSample } from './mulaw.js';

export function bytesPerSample(format: MediaFormat): 1 | 2 {
  return format === 'PCMU' ? 1 : 2;
}

/** Bytes one sample instant occupies across all channels (channels × bytesPerSample). */
export function frameStride(media: Pick<MediaParameter, 'format' | 'channels'>): number {
  return bytesPerSample(media.format) * media.channels.length;
}

/** Samples per channel in a frame, or null when the length is not a multiple of channels × bytesPerSample. */
export function frameSampleCount(
  byteLength: number,
  media: Pick<MediaParameter, 'format' | 'channels'>,
): number | null {
  const stride = frameStride(media);
  return stride > 0 && byteLength % stride === 0 ? byteLength / stride : null;
}

/** De-interleave and decode a frame into one Int16Array per channel, in the negotiated order. Throws on bad length. */
export function decodeFrame(
  frame: Uint8Array,
  media: Pick<MediaParameter, 'format' | 'channels'>,
): Int16Array[] {
  const count = frameSampleCount(frame.length, media);
  if (count === null) {
    throw new RangeError(
      `frame length ${frame.length} is not a multiple of ${frameStride(media)} (channels × bytes per sample)`,
    );
  }
  const n = media.channels.length;
  const channels = Array.from({ length: n }, () => new Int16Array(count));
  // Specialised loops: this runs for every frame of every call, so keep the inner loop free of indirection.
  if (media.format === 'PCMU') {
    const table = MULAW_DECODE_TABLE; // local: bundlers may turn imported bindings into property lookups
    if (n === 1) {
      const out = channels[0]!;
      for (let i = 0; i < count; i++) out[i] = table[frame[i]!]!;
    } else {
      const a = channels[0]!;
      const b = channels[1]!;
      for (let i = 0, p = 0; i < count; i++, p += 2) {
        a[i] = table[frame[p]!]!;
        b[i] = table[frame[p + 1]!]!;
      }
    }
  } else {
    for (let c = 0; c < n; c++) {
      const out = channels[c]!;
      for (let i = 0, p = c * 2; i < count; i++, p += 2 * n)
        out[i] = ((frame[p]! | (frame[p + 1]! << 8)) << 16) >> 16;
    }
  }
  return channels;
}

/**
 * De-interleave a PCMU frame into each channel's µ-law bytes as received (for engines that take G.711 µ-law), or
 * null for L16 media. Always fresh arrays, a mono frame too: engines keep audio for re-sending, and a view would
 * keep the socket's read buffer alive with it. Throws on bad length, like decodeFrame.
 */
export function splitMulawFrame(
  frame: Uint8Array,
  media: Pick<MediaParameter, 'format' | 'channels'>,
): Uint8Array[] | null {
  if (media.format !== 'PCMU') return null;
  const count = frameSampleCount(frame.length, media);
  if (count === null) {
    throw new RangeError(
      `frame length ${frame.length} is not a multiple of ${frameStride(media)} (channels)`,
    );
  }
  const n = media.channels.length;
  if (n === 1) return [frame.slice()];
  const channels = Array.from({ length: n }, () => new Uint8Array(count));
  for (let c = 0; c < n; c++) {
    const out = channels[c]!;
    for (let i = 0, p = c; i < count; i++, p += n) out[i] = frame[p]!;
  }
  return channels;
}

/** Encode and interleave one Int16Array per channel (all the same length) into a frame. */
export function encodeFrame(channels: Int16Array[], format: MediaFormat): Uint8Array {
  const n = channels.length;
  if (n === 0) throw new RangeError('encodeFrame needs at least one channel');
  const count = channels[0]!.length;
  if (channels.some((c) => c.length !== count))
    throw new RangeError('all channels must have the same length');
  const out = new Uint8Array(count * n * bytesPerSample(format));
  if (format === 'PCMU') {
    for (let i = 0, p = 0; i < count; i++) {
      for (let c = 0; c < n; c++, p++) out[p] = mulawEncodeSample(channels[c]![i]!);
    }
  } else {
    const view = new DataView(out.buffer);
    for (let i = 0, p = 0; i < count; i++) {
      for (let c = 0; c < n; c++, p += 2) view.setInt16(p, channels[c]![i]!, true);
    }
  }
  return out;
}

/**
 * The `audio` session event of one frame. A class rather than an object literal with a getter: it is created for
 * every frame of every call, and a literal getter costs a closure and an accessor per frame. PCM is decoded on first
 * access only: recording needs the raw bytes, and decoding every frame of every call costs CPU and garbage even
 * when nothing transcribes it.
 */
export class AudioFrameEvent {
  readonly type = 'audio' as const;
  /** samples per channel in this frame */
  readonly samples: number;
  private decoded: Int16Array[] | null = null;
  private split: Uint8Array[] | null | undefined = undefined;

  constructor(
    /** raw frame exactly as received (for recording) */
    readonly raw: Uint8Array,
    /** stream position of the first sample of this frame, in samples at 8 kHz */
    readonly startSample: number,
    private readonly media: Pick<MediaParameter, 'format' | 'channels'>,
  ) {
    this.samples = raw.length / frameStride(media);
  }

  /** one Int16 PCM array per negotiated channel, in the negotiated order */
  get channels(): Int16Array[] {
    this.decoded ??= decodeFrame(this.raw, this.media);
    return this.decoded;
  }

  /** PCMU: each channel's µ-law bytes as received, negotiated order, de-interleaved on first access; L16: null */
  get mulaw(): Uint8Array[] | null {
    if (this.split === undefined) this.split = splitMulawFrame(this.raw, this.media);
    return this.split;
  }
}
