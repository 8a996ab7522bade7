import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { muLawDecode } from '../../src/frontend/mulaw.js';
import { espeakToWav } from '../../devset/espeak.mjs';

/**
 * espeak-ng speech (a voice the embedded model recognises well) with 0.3 s of silence either side, as it arrives
 * through the phone channel (8 kHz G.711 mu-law, decoded to linear PCM) and as the same speech at 16 kHz. sox runs
 * with -R: it dithers with a random seed otherwise, and every synthesis would be different audio.
 */
export function espeakSpeech(
  text: string,
  voice = 'en-us+f2',
  wordsPerMinute = 150,
): { phone: Int16Array; wide: Int16Array } {
  const dir = mkdtempSync(join(tmpdir(), 'espeak-speech-'));
  try {
    const tts = join(dir, 'tts.wav');
    espeakToWav(text, voice, wordsPerMinute, tts, dir);
    const pad = ['pad', '0.3', '0.3'];
    execFileSync('sox', ['-R', tts, '-r', '8000', '-e', 'u-law', '-t', 'raw', join(dir, 'phone.ul'), ...pad]);
    execFileSync('sox', [
      '-R',
      ...[tts, '-r', '16000', '-b', '16', '-e', 'signed-integer', '-t', 'raw', join(dir, 'wide.raw')],
      ...pad,
    ]);
    const wideBytes = readFileSync(join(dir, 'wide.raw'));
    return {
      phone: muLawDecode(new Uint8Array(readFileSync(join(dir, 'phone.ul')))),
      wide: new Int16Array(
        wideBytes.buffer.slice(wideBytes.byteOffset, wideBytes.byteOffset + wideBytes.length),
      ),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
