import { speechConfigFromEnv } from '@hookscribe/speech';
import { describe, expect, it } from 'vitest';
import { PostCallEngines } from '../src/postcall/post-call-engines.js';
import { SpeakerAdaptedPass } from '../src/postcall/speaker-adapted-pass.js';

describe('PostCallEngines.speakerAdaptation', () => {
  const engines = (env: Record<string, string>) => new PostCallEngines(speechConfigFromEnv(env));

  const on = { HOOKSCRIBE_STT_SPEAKER_ADAPTATION: 'true' };

  it('adapts the accurate pass of the embedded engine when HOOKSCRIBE_STT_SPEAKER_ADAPTATION is on', () => {
    expect(engines(on).speakerAdaptation('accurate')).toBeInstanceOf(SpeakerAdaptedPass);
  });

  it('is off by default, and leaves the recovery pass and other engines alone', () => {
    expect(engines({}).speakerAdaptation('accurate')).toBeNull();
    expect(engines(on).speakerAdaptation('recover')).toBeNull();
    expect(
      engines({
        ...on,
        HOOKSCRIBE_STT_ENGINES: 'openai',
        HOOKSCRIBE_OPENAI_STT_URL: 'http://127.0.0.1:9/v1/audio/transcriptions',
        HOOKSCRIBE_OPENAI_STT_KEY: 'k',
      }).speakerAdaptation('accurate'),
    ).toBeNull();
  });

  it('rejects a value that is not a boolean', () => {
    expect(() => speechConfigFromEnv({ HOOKSCRIBE_STT_SPEAKER_ADAPTATION: 'maybe' })).toThrow(
      /HOOKSCRIBE_STT_SPEAKER_ADAPTATION/,
    );
  });
});
