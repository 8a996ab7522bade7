// espeak-ng synthesis into a WAV file, shared by the dev-set generator, the segmenter bench and the speech tests.
/* global process */
import { execFileSync } from 'node:child_process';

/**
 * Writes `text` spoken by espeak-ng `voice` at `wordsPerMinute` to `wavPath`. espeak-ng opens a PulseAudio client
 * even when it only writes a file, and that client makes a pulse-* runtime dir: it goes in `scratchDir` (the
 * caller's temp dir, which the caller removes) instead of being left in /tmp.
 */
export function espeakToWav(text, voice, wordsPerMinute, wavPath, scratchDir) {
  execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-w', wavPath, text], {
    env: { ...process.env, XDG_RUNTIME_DIR: scratchDir },
  });
}
