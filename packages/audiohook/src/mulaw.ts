/**
 * G.711 µ-law (PCMU) codec with the standard tables (digest §6.2): 0x00 → −32124, 0x80 → +32124, 0x0D → −18812,
 * 0xFF → 0. Both directions are table lookups so per-frame cost stays a single pass.
 */
const BIAS = 0x84;
const CLIP = 32635;

function decodeByte(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = (((u & 0x0f) << 3) + BIAS) << exponent;
  const sample = magnitude - BIAS;
  return u & 0x80 ? -sample : sample;
}

function encodeSample(sample: number): number {
  let value = sample;
  const sign = value < 0 ? 0x80 : 0;
  if (sign) value = -value;
  if (value > CLIP) value = CLIP;
  value += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (value & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (value >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** byte → linear sample; exported for hot loops (read-only by convention) */
export const MULAW_DECODE_TABLE = new Int16Array(256);
const DECODE_TABLE = MULAW_DECODE_TABLE;
for (let i = 0; i < 256; i++) DECODE_TABLE[i] = decodeByte(i);

/** indexed by the sample's 16-bit two's-complement pattern (sample & 0xffff) */
const ENCODE_TABLE = new Uint8Array(65536);
for (let i = 0; i < 65536; i++) ENCODE_TABLE[i] = encodeSample(i >= 32768 ? i - 65536 : i);

export function mulawDecodeSample(byte: number): number {
  return DECODE_TABLE[byte & 0xff]!;
}

export function mulawEncodeSample(sample: number): number {
  return ENCODE_TABLE[sample & 0xffff]!;
}

export function mulawDecode(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = DECODE_TABLE[bytes[i]!]!;
  return out;
}

export function mulawEncode(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = ENCODE_TABLE[samples[i]! & 0xffff]!;
  return out;
}
