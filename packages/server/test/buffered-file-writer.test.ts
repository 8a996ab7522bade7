import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BufferedFileWriter } from '../src/recording/buffered-file-writer.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookscribe-bfw-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);

/** resolves once the fs callbacks queued so far have run */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** polls until `check` holds (writes reach the disk through the write thread's batch window), at most 5 s */
async function eventually(check: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5000; !check() && Date.now() < deadline;)
    await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('BufferedFileWriter', () => {
  it('writes bytes and text in order across staging buffers, including chunks larger than one buffer', async () => {
    const failures: Error[] = [];
    const path = join(dir, 'a.bin');
    const writer = new BufferedFileWriter(path, { bufferBytes: 16, maxQueuedBytes: 1 << 20 }, (e) =>
      failures.push(e),
    );
    const parts = [bytes(5, 1), bytes(40, 2), Buffer.from('héllo, wörld'), bytes(16, 3), bytes(1, 4)];
    writer.appendBytes(parts[0]!);
    writer.appendBytes(parts[1]!);
    writer.appendText('héllo, wörld');
    writer.appendBytes(parts[3]!);
    writer.appendBytes(parts[4]!);
    const expected = Buffer.concat(parts);
    expect(writer.size).toBe(expected.byteLength);
    await writer.close();
    expect(readFileSync(path)).toEqual(expected);
    expect(failures).toEqual([]);
  });

  it('patches bytes at a position when it closes (the WAV header)', async () => {
    const path = join(dir, 'b.bin');
    const writer = new BufferedFileWriter(path, { bufferBytes: 8, maxQueuedBytes: 1 << 20 }, () => {});
    writer.appendBytes(new Uint8Array(4));
    writer.appendBytes(bytes(20, 9));
    await writer.close({ bytes: Uint8Array.of(1, 2, 3, 4), position: 0 });
    const file = readFileSync(path);
    expect([...file.subarray(0, 4)]).toEqual([1, 2, 3, 4]);
    expect(file.subarray(4)).toEqual(Buffer.from(bytes(20, 9)));
  });

  it('keeps a partial buffer in memory until it was staged at two flushStale calls, then writes it', async () => {
    const path = join(dir, 'c.bin');
    const writer = new BufferedFileWriter(path, { bufferBytes: 1024, maxQueuedBytes: 1 << 20 }, () => {});
    writer.appendBytes(bytes(100, 1));
    writer.flushStale();
    await settle();
    expect(statSync(path).size).toBe(0);
    writer.flushStale();
    await eventually(() => statSync(path).size === 100);
    expect(statSync(path).size).toBe(100);
    await writer.close();
  });

  it('reports a file it cannot open once; appends become no-ops and close rejects with the error', async () => {
    const failures: Error[] = [];
    const writer = new BufferedFileWriter(
      join(dir, 'missing-dir', 'd.bin'),
      { bufferBytes: 8, maxQueuedBytes: 1 << 20 },
      (e) => failures.push(e),
    );
    writer.appendBytes(bytes(50, 1));
    await settle();
    writer.appendBytes(bytes(50, 2));
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
    expect(failures).toHaveLength(1);
    expect(writer.failed).toBe(failures[0]);
  });

  it('keeps up with audio arriving faster than one staging buffer per batch window', async () => {
    const failures: Error[] = [];
    const path = join(dir, 'f.bin');
    const writer = new BufferedFileWriter(path, { bufferBytes: 16, maxQueuedBytes: 256 }, (e) =>
      failures.push(e),
    );
    await settle(); // open
    // four staging buffers every ~60 ms: one write per 50 ms window would fall behind past the bound
    const parts = Array.from({ length: 10 }, (_, i) => bytes(64, i));
    for (const part of parts) {
      writer.appendBytes(part);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await writer.close();
    expect(failures).toEqual([]);
    expect(readFileSync(path)).toEqual(Buffer.concat(parts));
  });

  it('gives up with "disk too slow" instead of buffering without bound', async () => {
    const failures: Error[] = [];
    const path = join(dir, 'e.bin');
    const writer = new BufferedFileWriter(path, { bufferBytes: 1024, maxQueuedBytes: 4096 }, (e) =>
      failures.push(e),
    );
    // synchronous appends: the file is not even open yet, so everything queues
    for (let i = 0; i < 10; i++) writer.appendBytes(bytes(1024, i));
    expect(failures.map((e) => e.message)).toEqual(['disk too slow: more than 4096 bytes queued']);
    await expect(writer.close()).rejects.toThrow(/disk too slow/);
  });
});
