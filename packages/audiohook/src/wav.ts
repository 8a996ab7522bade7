/**
 * WAV (RIFF/WAVE) writing and reading.
 *
 * Writing keeps the recording byte-exact to what was received: PCMU frames go into a WAVE_FORMAT_MULAW (7) file
 * and L16 frames into a PCM (1) file, both without transcoding. Non-PCM formats get the 18-byte fmt chunk and the
 * `fact` chunk the RIFF spec asks for. A streaming writer writes `buildWavHeader(spec, 0)` first, appends frames,
 * and at finalisation overwrites the header at offset 0 with `buildWavHeader(spec, dataBytes)` (same length) and
 * appends `wavPadding(dataBytes)` (RIFF chunks are word aligned).
 */
import type { MediaFormat } from './contract.js';

export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export interface WavSpec {
  format: MediaFormat;
  channels: number;
  sampleRate: number;
}

export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

export function wavHeaderLength(format: MediaFormat): number {
  return format === 'PCMU' ? 58 : 44;
}

export function buildWavHeader(spec: WavSpec, dataBytes: number): Uint8Array {
  const header = new Uint8Array(wavHeaderLength(spec.format));
  patchWavHeader(header, spec, dataBytes);
  return header;
}

/** Rewrites the whole header in place for the given data size (the "patch sizes at finalisation" step). */
export function patchWavHeader(header: Uint8Array, spec: WavSpec, dataBytes: number): void {
  if (header.length !== wavHeaderLength(spec.format)) {
    throw new RangeError(`header must be ${wavHeaderLength(spec.format)} bytes`);
  }
  if (!Number.isInteger(dataBytes) || dataBytes < 0 || dataBytes > 0xffffffff - 64) {
    throw new RangeError(`WAV data size out of range: ${dataBytes}`);
  }
  const mulaw = spec.format === 'PCMU';
  const bits = mulaw ? 8 : 16;
  const blockAlign = (bits / 8) * spec.channels;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) header[offset + i] = text.charCodeAt(i);
  };
  const pad = dataBytes % 2;
  ascii(0, 'RIFF');
  view.setUint32(4, header.length - 8 + dataBytes + pad, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, mulaw ? 18 : 16, true);
  view.setUint16(20, mulaw ? WAVE_FORMAT_MULAW : WAVE_FORMAT_PCM, true);
  view.setUint16(22, spec.channels, true);
  view.setUint32(24, spec.sampleRate, true);
  view.setUint32(28, spec.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bits, true);
  let p = 36;
  if (mulaw) {
    view.setUint16(36, 0, true); // cbSize
    ascii(38, 'fact');
    view.setUint32(42, 4, true);
    view.setUint32(46, blockAlign > 0 ? Math.floor(dataBytes / blockAlign) : 0, true);
    p = 50;
  }
  ascii(p, 'data');
  view.setUint32(p + 4, dataBytes, true);
}

/** Bytes to append after the data at finalisation so the RIFF chunk is word aligned. */
export function wavPadding(dataBytes: number): Uint8Array {
  return new Uint8Array(dataBytes % 2);
}

export interface ParsedWav {
  format: MediaFormat;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** raw sample data (a view into the input), interleaved as in the file */
  data: Uint8Array;
}

/**
 * Reads a µ-law (format 7, 8-bit) or 16-bit PCM (format 1 or extensible) WAV. Tolerates streaming writers' 0 or
 * 0xFFFFFFFF data sizes (data runs to the end of the file). Anything else throws WavFormatError with the reason.
 */
export function parseWav(bytes: Uint8Array): ParsedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let fmt: { formatTag: number; channels: number; sampleRate: number; bits: number } | null = null;
  let p = 12;
  while (p + 8 <= bytes.length) {
    const id = tag(p);
    let size = view.getUint32(p + 4, true);
    const body = p + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new WavFormatError('truncated fmt chunk');
      let formatTag = view.getUint16(body, true);
      if (formatTag === WAVE_FORMAT_EXTENSIBLE && size >= 40) formatTag = view.getUint16(body + 24, true);
      fmt = {
        formatTag,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      if (size === 0 || size === 0xffffffff || body + size > bytes.length) size = bytes.length - body;
      let format: MediaFormat;
      if (fmt.formatTag === WAVE_FORMAT_MULAW && fmt.bits === 8) format = 'PCMU';
      else if (fmt.formatTag === WAVE_FORMAT_PCM && fmt.bits === 16) format = 'L16';
      else {
        throw new WavFormatError(
          `unsupported WAV encoding (format tag ${fmt.formatTag}, ${fmt.bits} bits); need µ-law 8-bit or PCM 16-bit`,
        );
      }
      if (fmt.channels < 1) throw new WavFormatError('WAV has no channels');
      const stride = (fmt.bits / 8) * fmt.channels;
      const usable = size - (size % stride);
      return {
        format,
        channels: fmt.channels,
        sampleRate: fmt.sampleRate,
        bitsPerSample: fmt.bits,
        data: bytes.subarray(body, body + usable),
      };
    }
    p = body + size + (size % 2);
  }
  throw new WavFormatError(fmt ? 'no data chunk' : 'no fmt chunk');
}
