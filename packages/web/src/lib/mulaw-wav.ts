/**
 * Decodes the server's recordings for playback. Recordings are G.711 µ-law WAV (format tag 7), which browsers'
 * <audio> does not reliably play, so the player decodes them here and plays PCM through Web Audio. 16-bit PCM WAV
 * (format 1) is accepted too.
 */

export interface DecodedWav {
  sampleRate: number;
  /** one Float32Array per channel, samples in [-1, 1] */
  channels: Float32Array[];
  durationSeconds: number;
}

export class WavDecodeError extends Error {
  override name = 'WavDecodeError';
}

/** ITU-T G.711 µ-law expansion to a linear 16-bit value. */
export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return sign && magnitude ? -magnitude : magnitude;
}

const MULAW_TABLE = Float32Array.from({ length: 256 }, (_, b) => mulawToLinear(b) / 32768);

function fourCC(view: DataView, at: number): string {
  return String.fromCharCode(
    view.getUint8(at),
    view.getUint8(at + 1),
    view.getUint8(at + 2),
    view.getUint8(at + 3),
  );
}

export function decodeWav(buffer: ArrayBuffer): DecodedWav {
  const view = new DataView(buffer);
  if (buffer.byteLength < 12 || fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') {
    throw new WavDecodeError('not a RIFF/WAVE file');
  }
  let format = 0;
  let channelCount = 0;
  let sampleRate = 0;
  let bitsPerSample = 0;
  let dataStart = -1;
  let dataLength = 0;
  let at = 12;
  while (at + 8 <= buffer.byteLength) {
    const id = fourCC(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      format = view.getUint16(body, true);
      channelCount = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bitsPerSample = view.getUint16(body + 14, true);
    } else if (id === 'data') {
      dataStart = body;
      // a recording still being written may carry a placeholder size: take what is there
      dataLength = Math.min(size, buffer.byteLength - body);
      break;
    }
    at = body + size + (size % 2);
  }
  if (dataStart < 0 || channelCount < 1 || sampleRate < 1) throw new WavDecodeError('no fmt or data chunk');
  const bytesPerSample = format === 7 ? 1 : format === 1 && bitsPerSample === 16 ? 2 : 0;
  if (!bytesPerSample) throw new WavDecodeError(`unsupported WAV format ${format}/${bitsPerSample} bit`);
  const frames = Math.floor(dataLength / (bytesPerSample * channelCount));
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  const bytes = new Uint8Array(buffer, dataStart, frames * bytesPerSample * channelCount);
  for (let frame = 0; frame < frames; frame++) {
    for (let c = 0; c < channelCount; c++) {
      const i = frame * channelCount + c;
      channels[c]![frame] =
        bytesPerSample === 1 ? MULAW_TABLE[bytes[i]!]! : view.getInt16(dataStart + i * 2, true) / 32768;
    }
  }
  return { sampleRate, channels, durationSeconds: frames / sampleRate };
}
