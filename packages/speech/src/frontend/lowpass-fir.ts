/**
 * Kaiser-windowed sinc low-pass design. The half-band filter behind the 8 → 16 kHz upsampler: pass 0–3.6 kHz,
 * stop from 4 kHz (at 16 kHz), so the images of the phone band folded above 4 kHz are removed.
 */

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

/**
 * @param taps odd length (linear phase, integer delay of (taps-1)/2)
 * @param cutoff normalised cutoff in cycles per sample (0..0.5)
 * @param beta Kaiser window shape (8 ≈ 80 dB stop band)
 */
export function designLowpass(taps: number, cutoff: number, beta: number): Float64Array {
  if (taps % 2 !== 1) throw new RangeError('low-pass length must be odd');
  const h = new Float64Array(taps);
  const mid = (taps - 1) / 2;
  const i0Beta = besselI0(beta);
  let sum = 0;
  for (let n = 0; n < taps; n++) {
    const t = n - mid;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    const r = t / mid;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    h[n] = sinc * window;
    sum += h[n]!;
  }
  for (let n = 0; n < taps; n++) h[n] = h[n]! / sum;
  return h;
}
