/** A Web Audio stand-in for jsdom: a context whose clock the test moves. */
export class FakeAudioContext {
  static last: FakeAudioContext | null = null;
  currentTime = 0;
  state = 'running';
  destination = {};
  started: { offset: number }[] = [];
  constructor() {
    FakeAudioContext.last = this;
  }
  resume() {
    return Promise.resolve();
  }
  close() {
    return Promise.resolve();
  }
  createBuffer(channels: number, length: number, sampleRate: number) {
    return { numberOfChannels: channels, length, sampleRate, copyToChannel() {} };
  }
  createBufferSource() {
    const started = this.started;
    return {
      buffer: null,
      onended: null,
      connect() {},
      disconnect() {},
      start(_when: number, offset: number) {
        started.push({ offset });
      },
      stop() {},
    };
  }
  static install() {
    FakeAudioContext.last = null;
    (globalThis as { AudioContext?: unknown }).AudioContext = FakeAudioContext;
  }
}

/** A stereo µ-law WAV of `seconds` of silence (0xFF), as the server records. */
export function mulawWav(seconds: number): ArrayBuffer {
  const frames = Math.round(seconds * 8000);
  const data = frames * 2;
  const buf = new ArrayBuffer(44 + data);
  const v = new DataView(buf);
  const ascii = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + data, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 7, true);
  v.setUint16(22, 2, true);
  v.setUint32(24, 8000, true);
  v.setUint32(28, 16000, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 8, true);
  ascii(36, 'data');
  v.setUint32(40, data, true);
  new Uint8Array(buf, 44).fill(0xff);
  return buf;
}
