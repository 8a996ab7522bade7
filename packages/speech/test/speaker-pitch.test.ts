import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/frontend/band-noise.js';
import { decodeWav } from '../src/wav-encoding.js';
import { DEFAULT_SPEAKER_WARP } from '../src/pocketsphinx/config.js';
import { channelWarp, SpeakerPitchEstimate, warpForPitch } from '../src/pocketsphinx/speaker-pitch.js';
import { espeakSpeech } from './support/espeak-speech.js';

/** a voiced sound: harmonics of `f0` with falling amplitude, as a glottal source through a vowel roughly gives */
function voiced(f0: number, seconds: number, amplitude = 6000): Int16Array {
  const out = new Int16Array(Math.round(8000 * seconds));
  for (let n = 0; n < out.length; n++) {
    let x = 0;
    for (let h = 1; h * f0 < 3500; h++) x += Math.sin((2 * Math.PI * h * f0 * n) / 8000) / h;
    out[n] = Math.round(amplitude * 0.5 * x);
  }
  return out;
}

/** feeds `pcm` in 20 ms writes, as a channel's audio arrives */
function feed(estimate: SpeakerPitchEstimate, pcm: Int16Array): void {
  for (let i = 0; i < pcm.length; i += 160) estimate.write(pcm.subarray(i, i + 160));
}

describe('SpeakerPitchEstimate', () => {
  it.each([
    [95, 'a low voice'],
    [120, 'a male voice'],
    [190, 'a female voice'],
    [260, 'a high voice'],
  ])('settles near %i Hz for %s', (f0) => {
    const estimate = new SpeakerPitchEstimate(100);
    feed(estimate, voiced(f0, 3));
    expect(estimate.settled).toBe(true);
    expect(Math.abs(estimate.medianHz! - f0) / f0).toBeLessThan(0.04);
  });

  it('does not settle on silence, quiet line noise or too little speech', () => {
    const estimate = new SpeakerPitchEstimate(100);
    feed(estimate, new Int16Array(8000 * 5));
    const random = mulberry32(7);
    feed(
      estimate,
      Int16Array.from({ length: 8000 * 5 }, () => Math.round(160 * (random() - 0.5))),
    ); // −46 dBFS hiss
    expect(estimate.medianHz).toBeNull();
    feed(estimate, voiced(200, 1)); // 50 voiced frames of the 100 needed
    expect(estimate.settled).toBe(false);
    expect(estimate.medianHz).toBeCloseTo(200, -1);
  });

  it('is the same whatever the write sizes', () => {
    const pcm = voiced(150, 2.5);
    const whole = new SpeakerPitchEstimate(100);
    whole.write(pcm);
    const pieces = new SpeakerPitchEstimate(100);
    for (let i = 0; i < pcm.length; i += 37) pieces.write(pcm.subarray(i, i + 37));
    expect(pieces.medianHz).toBe(whole.medianHz);
    expect(pieces.settled).toBe(whole.settled);
  });

  it('tells espeak-ng male and female voices apart and maps them to the warp', () => {
    const text = 'please enter your account number followed by the pound key and then hold the line';
    const pitchOf = (voice: string) => {
      const estimate = new SpeakerPitchEstimate(DEFAULT_SPEAKER_WARP.voicedFrames);
      feed(estimate, espeakSpeech(text, voice).phone);
      return estimate;
    };
    const male = pitchOf('en-us');
    const female = pitchOf('en-us+f2');
    expect(male.settled && female.settled).toBe(true);
    expect(warpForPitch(male.medianHz!, DEFAULT_SPEAKER_WARP)).toBeNull();
    expect(warpForPitch(female.medianHz!, DEFAULT_SPEAKER_WARP)).toBe(DEFAULT_SPEAKER_WARP.highPitchWarp);
  });

  it('gives a real recorded female telephone voice (an Asterisk IVR prompt, 8 kHz) the warp', () => {
    const wav = decodeWav(
      new Uint8Array(readFileSync('/usr/share/asterisk/sounds/en_US_f_Allison/basic-pbx-ivr-main.wav')),
    );
    expect(wav.sampleRate).toBe(8000);
    const estimate = new SpeakerPitchEstimate(DEFAULT_SPEAKER_WARP.voicedFrames);
    feed(estimate, wav.pcm);
    expect(estimate.settled).toBe(true);
    expect(estimate.medianHz!).toBeGreaterThan(170);
    expect(warpForPitch(estimate.medianHz!, DEFAULT_SPEAKER_WARP)).toBe(DEFAULT_SPEAKER_WARP.highPitchWarp);
  });
});

describe('channelWarp (a recorded channel, for the speaker-adapted pass)', () => {
  it('is the warp the live decode settles on: warped when high, unwarped when low or too short', () => {
    const silent = new Int16Array(8000);
    const join = (...parts: Int16Array[]) => {
      const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
      return out;
    };
    expect(channelWarp(join(silent, voiced(190, 3)), DEFAULT_SPEAKER_WARP)).toBe(
      DEFAULT_SPEAKER_WARP.highPitchWarp,
    );
    expect(channelWarp(join(silent, voiced(100, 3)), DEFAULT_SPEAKER_WARP)).toBeNull();
    // 50 voiced frames of the 100 that decide: the live decode would never warp this channel
    expect(channelWarp(voiced(200, 1), DEFAULT_SPEAKER_WARP)).toBeNull();
    // only the first voiced speech decides, as live: a high voice later in the call does not change it
    expect(channelWarp(join(voiced(100, 3), voiced(200, 10)), DEFAULT_SPEAKER_WARP)).toBeNull();
  });
});
