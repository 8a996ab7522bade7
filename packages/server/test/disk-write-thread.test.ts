import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskWriteThread } from '../src/recording/disk-write-thread.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): { path: string; fd: number } {
  const dir = mkdtempSync(join(tmpdir(), 'disk-write-thread-'));
  dirs.push(dir);
  const path = join(dir, 'out.bin');
  return { path, fd: openSync(path, 'w') };
}

function write(
  thread: DiskWriteThread,
  fd: number,
  text: string,
  position: number,
  urgent = false,
): Promise<void> {
  const buffer = thread.takeBuffer(1024);
  const length = buffer.write(text);
  return new Promise((resolve, reject) =>
    thread.write(
      fd,
      buffer,
      length,
      position,
      (err) => {
        thread.giveBuffer(buffer);
        if (err) reject(err);
        else resolve();
      },
      urgent,
    ),
  );
}

describe('DiskWriteThread', () => {
  it('sends the writes of several event-loop turns to the thread in one message per batch window', async () => {
    const thread = new DiskWriteThread(50);
    const { path, fd } = tempFile();
    try {
      // three writes in three turns of the event loop, all inside one window
      const first = write(thread, fd, 'one ', 0);
      await nextTurn();
      const second = write(thread, fd, 'two ', 4);
      await nextTurn();
      const third = write(thread, fd, 'three', 8);
      await Promise.all([first, second, third]);
      expect(thread.batchesPosted).toBe(1);

      // a write after the window went out is the next message
      await write(thread, fd, '!', 13);
      expect(thread.batchesPosted).toBe(2);
      expect(readFileSync(path, 'utf8')).toBe('one two three!');
    } finally {
      closeSync(fd);
    }
  });

  it('an urgent write (a file being finalised) goes out at once, with what was waiting', async () => {
    const thread = new DiskWriteThread(60_000); // a window no test would wait for
    const { path, fd } = tempFile();
    try {
      const waiting = write(thread, fd, 'head ', 0);
      await write(thread, fd, 'tail', 5, true);
      await waiting;
      expect(thread.batchesPosted).toBe(1);
      expect(readFileSync(path, 'utf8')).toBe('head tail');
    } finally {
      closeSync(fd);
    }
  });

  it('reports a failed write to its caller', async () => {
    const thread = new DiskWriteThread(5);
    const { path, fd } = tempFile();
    closeSync(fd);
    const readOnly = openSync(path, 'r'); // writing to it fails with EBADF
    try {
      await expect(write(thread, readOnly, 'lost', 0)).rejects.toMatchObject({ code: 'EBADF' });
    } finally {
      closeSync(readOnly);
    }
  });
});
