import { mulawDecode } from '@hookscribe/audiohook';
import * as sdk from 'microsoft-cognitiveservices-speech-sdk';
import type {
  AzurePushStreamLike,
  AzureRecognizerInput,
  AzureRecognizerLike,
  AzureResultLike,
} from '../../src/engines/azure-speech-engine.js';

const TICKS = 10_000_000;
const FRAME = 80; // 10 ms of mu-law at 8 kHz

/** Records what the adapter pushes; the recognizer listens to it. */
export class FakePushStream implements AzurePushStreamLike {
  readonly bytes: number[] = [];
  closed = false;
  listener: ((bytes: Uint8Array) => void) | null = null;
  write(data: ArrayBuffer): void {
    const bytes = new Uint8Array(data);
    this.bytes.push(bytes.length);
    this.listener?.(bytes);
  }
  close(): void {
    this.closed = true;
  }
}

/**
 * Shaped like sdk.SpeechRecognizer: events fire asynchronously (as the SDK's do) from an energy "recogniser" over
 * the pushed mu-law audio, with offsets in 100-ns ticks relative to the pushed audio, Azure-style endpointing after
 * 200 ms of quiet, and the detailed JSON result carrying NBest words.
 */
export class FakeAzureRecognizer implements AzureRecognizerLike {
  recognizing: AzureRecognizerLike['recognizing'];
  recognized: AzureRecognizerLike['recognized'];
  canceled: AzureRecognizerLike['canceled'];
  authorizationToken = '';
  started = false;
  stopped = false;
  closedRecognizer = false;
  private position = 0; // pushed samples processed
  private words: { start: number; end: number }[] = [];
  private quiet = 0;
  private pending = new Uint8Array(0);

  constructor(readonly input: AzureRecognizerInput) {
    (input.pushStream as FakePushStream).listener = (bytes) => this.hear(bytes);
  }

  startContinuousRecognitionAsync(done?: () => void): void {
    this.started = true;
    setImmediate(() => done?.());
  }
  stopContinuousRecognitionAsync(done?: () => void): void {
    this.stopped = true;
    setImmediate(() => done?.());
  }
  close(done?: () => void): void {
    this.closedRecognizer = true;
    setImmediate(() => done?.());
  }

  /** what the service would send on an auth error / dropped connection */
  cancel(details: string): void {
    setImmediate(() =>
      this.canceled?.(this, { reason: sdk.CancellationReason.Error, errorCode: 1, errorDetails: details }),
    );
  }

  /** raw event injection for mapping tests */
  emit(kind: 'recognizing' | 'recognized', result: AzureResultLike): void {
    setImmediate(() => this[kind]?.(this, { result }));
  }

  private hear(bytes: Uint8Array): void {
    const all = new Uint8Array(this.pending.length + bytes.length);
    all.set(this.pending);
    all.set(bytes, this.pending.length);
    let offset = 0;
    for (; offset + FRAME <= all.length; offset += FRAME)
      this.frame(mulawDecode(all.subarray(offset, offset + FRAME)));
    this.pending = all.slice(offset);
  }

  private frame(pcm: Int16Array): void {
    let energy = 0;
    for (const s of pcm) energy += s * s;
    const loud = 10 * Math.log10(energy / pcm.length / 32768 ** 2 + 1e-12) > -40;
    const start = this.position;
    this.position += pcm.length;
    if (loud) {
      const last = this.words[this.words.length - 1];
      if (last && this.quiet < 6) last.end = this.position;
      else {
        this.words.push({ start, end: this.position });
        const snapshot = this.result(sdk.ResultReason.RecognizingSpeech);
        setImmediate(() => this.recognizing?.(this, { result: snapshot }));
      }
      this.quiet = 0;
    } else if (this.words.length > 0 && ++this.quiet >= 20) {
      const final = this.result(sdk.ResultReason.RecognizedSpeech);
      this.words = [];
      setImmediate(() => this.recognized?.(this, { result: final }));
    }
  }

  private result(reason: number): AzureResultLike {
    const ticks = (samples: number) => Math.round((samples * TICKS) / 8000);
    const first = this.words[0]!;
    const last = this.words[this.words.length - 1]!;
    const words = this.words.map((w, i) => ({
      Word: `word${i + 1}`,
      Offset: ticks(w.start),
      Duration: ticks(w.end - w.start),
      Confidence: 0.87,
    }));
    const text = words.map((w) => w.Word).join(' ');
    const json = JSON.stringify({
      RecognitionStatus: 'Success',
      Offset: ticks(first.start),
      Duration: ticks(last.end - first.start),
      DisplayText: text,
      NBest: [{ Confidence: 0.9, Lexical: text, Display: text, Words: words }],
    });
    return {
      reason,
      text,
      offset: ticks(first.start),
      duration: ticks(last.end - first.start),
      properties: {
        getProperty: (id) => (id === sdk.PropertyId.SpeechServiceResponse_JsonResult ? json : ''),
      },
    };
  }
}

/** Options wiring the fakes into an AzureSpeechEngine; `recognizers` collects every recognizer created. */
export function fakeAzureSdk() {
  const recognizers: FakeAzureRecognizer[] = [];
  return {
    recognizers,
    createPushStream: () => new FakePushStream(),
    createRecognizer: (input: AzureRecognizerInput) => {
      const recognizer = new FakeAzureRecognizer(input);
      recognizers.push(recognizer);
      return recognizer;
    },
  };
}
