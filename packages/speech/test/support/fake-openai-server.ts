import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeWav } from '../../src/wav-encoding.js';

/** What the next request gets; the last one repeats. */
export type FakeBehaviour = 'words' | 'text-only' | 'hang' | 500 | 429 | 401;

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  fields: Record<string, string>;
  fileBytes: number;
  sampleRate: number;
  samples: number;
}

const VOCABULARY = ['hello', 'world', 'this', 'is', 'a', 'test', 'call'];

/**
 * A local stand-in for an OpenAI-compatible /v1/audio/transcriptions endpoint (127.0.0.1, random port). It parses the
 * multipart form for real and "recognises" each run of loud 10 ms frames as the next vocabulary word.
 */
export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  behaviours: FakeBehaviour[] = ['words'];
  private server: Server | null = null;
  private readonly hanging: ServerResponse[] = [];
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/v1/audio/transcriptions`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body: Buffer[] = [];
    for await (const chunk of req) body.push(chunk as Buffer);
    const form = await new Response(Buffer.concat(body), {
      headers: { 'content-type': req.headers['content-type'] ?? '' },
    }).formData();
    const fields: Record<string, string> = {};
    let wav = new Uint8Array();
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') fields[key] = value;
      else wav = new Uint8Array(await value.arrayBuffer());
    }
    const { pcm, sampleRate } = decodeWav(wav);
    this.requests.push({
      path: req.url ?? '',
      headers: req.headers,
      fields,
      fileBytes: wav.length,
      sampleRate,
      samples: pcm.length,
    });
    const behaviour = this.behaviours.length > 1 ? this.behaviours.shift()! : this.behaviours[0]!;
    if (behaviour === 'hang') {
      this.hanging.push(res);
      return;
    }
    if (typeof behaviour === 'number') {
      res.writeHead(behaviour, {
        'content-type': 'application/json',
        ...(behaviour === 429 ? { 'retry-after': '0' } : {}),
      });
      res.end(JSON.stringify({ error: { message: `fake ${behaviour}` } }));
      return;
    }
    const words = recognise(pcm, sampleRate);
    const text = words.map((w) => w.word).join(' ');
    if (fields.response_format === 'verbose_json') {
      if (behaviour === 'text-only') {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: "response_format 'verbose_json' is not compatible" } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          task: 'transcribe',
          language: 'english',
          duration: pcm.length / sampleRate,
          text,
          words,
          segments: [
            { id: 0, start: 0, end: pcm.length / sampleRate, text, avg_logprob: -0.2, no_speech_prob: 0.01 },
          ],
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ text }));
  }
}

function recognise(pcm: Int16Array, rate: number): { word: string; start: number; end: number }[] {
  const frame = rate / 100;
  const words: { word: string; start: number; end: number }[] = [];
  let quiet = Infinity;
  for (let offset = 0; offset < pcm.length; offset += frame) {
    let energy = 0;
    const end = Math.min(pcm.length, offset + frame);
    for (let i = offset; i < end; i++) energy += pcm[i]! * pcm[i]!;
    const loud = 10 * Math.log10(energy / (end - offset) / 32768 ** 2 + 1e-12) > -40;
    if (!loud) {
      quiet++;
      continue;
    }
    const last = words[words.length - 1];
    if (last && quiet < 6) last.end = end / rate;
    else
      words.push({
        word: VOCABULARY[words.length % VOCABULARY.length]!,
        start: offset / rate,
        end: end / rate,
      });
    quiet = 0;
  }
  return words;
}
