/**
 * Caller number as a supervisor sees it: country code and last four digits, the rest masked
 * (`tel:+14155551234` → `+1•••••1234`). Numbers too short to mask meaningfully are masked entirely.
 */
export function maskAni(ani: string): string {
  const number = ani
    .replace(/^(tel|sip|sips):/i, '')
    .split('@')[0]!
    .trim();
  if (!number) return 'unknown';
  const plus = number.startsWith('+');
  const digits = number.replace(/\D/g, '');
  if (digits.length < 6) return '•'.repeat(Math.max(digits.length, 3));
  const head = plus ? `+${digits.slice(0, 1)}` : '';
  const hidden = digits.length - (plus ? 1 : 0) - 4;
  return `${head}${'•'.repeat(hidden)}${digits.slice(-4)}`;
}
