// Real recorded telephone speech for issue 12: Asterisk's core IVR prompts (Debian `asterisk-core-sounds-en-wav`),
// one professional US English voice (Allison Smith), recorded for the phone at 8 kHz, with the package's
// transcript file. Only prompts of three or more words (IVR sentences, not the digit/letter clips), split by name
// into two halves: "asterisk-dev" (tuned on) and "asterisk-heldout" (never tuned on). The split is fixed by the
// names, so the halves stay the same on every machine.
/* global process */
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

export const ASTERISK_SOUNDS = '/usr/share/asterisk/sounds/en_US_f_Allison';
const TRANSCRIPTS = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz';

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** a cardinal as spoken ("500" → "five hundred"); the prompts hold nothing above four digits */
function spokenNumber(n) {
  if (n < 20) return ONES[n];
  if (n < 100) return `${TENS[Math.floor(n / 10)]}${n % 10 ? ` ${ONES[n % 10]}` : ''}`;
  if (n < 1000) return `${ONES[Math.floor(n / 100)]} hundred${n % 100 ? ` ${spokenNumber(n % 100)}` : ''}`;
  return `${spokenNumber(Math.floor(n / 1000))} thousand${n % 1000 ? ` ${spokenNumber(n % 1000)}` : ''}`;
}

/** the transcript in the words the voice says: digits and keypad symbols spelled, notes and markup dropped */
export function spokenReference(text) {
  return text
    .replace(/\([^)]*\)/g, ' ')
    .replace(/<[^>]*>|\[[^\]]*\]/g, ' ')
    .replace(/(\d+)\.(\d+)/g, (_, a, b) => `${a} point ${b.split('').join(' ')}`)
    .replace(/(\d)D\b/g, '$1 d')
    .replace(/\d+/g, (d) => ` ${spokenNumber(Number(d))} `)
    .replace(/#/g, ' pound ')
    .replace(/\*/g, ' star ')
    .replace(/-/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** every usable prompt: { name, file, text } with text in spoken words */
export function asteriskPrompts() {
  if (!existsSync(TRANSCRIPTS)) {
    process.stderr.write('asterisk prompts: install asterisk-core-sounds-en-wav (apt) first\n');
    process.exit(2);
  }
  const prompts = [];
  for (const line of gunzipSync(readFileSync(TRANSCRIPTS)).toString('utf8').split('\n')) {
    const m = /^([a-z0-9_/-]+):\s*(.*)$/i.exec(line);
    if (!m || /^(digits|letters|phonetic|silence)\//.test(m[1])) continue;
    const file = `${ASTERISK_SOUNDS}/${m[1]}.wav`;
    const text = spokenReference(m[2]);
    if (!existsSync(file) || text.split(' ').filter((w) => /[a-z]/i.test(w)).length < 3) continue;
    prompts.push({ name: m[1], file, text });
  }
  return prompts;
}

/** the half a prompt belongs to, from a hash of its name (stable, independent of the package's ordering) */
export function asteriskSplit(name) {
  return createHash('sha256').update(name).digest()[0] % 2 === 0 ? 'asterisk-dev' : 'asterisk-heldout';
}
