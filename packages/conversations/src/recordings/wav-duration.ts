/** Duration of a PCM/μ-law WAV file from its header (fmt byte rate and data chunk size); null if not a WAV. */
import { open } from 'node:fs/promises';

export async function wavDurationSeconds(path: string): Promise<number | null> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const header = Buffer.alloc(Math.min(size, 4096));
    await file.read(header, 0, header.length, 0);
    if (
      header.length < 12 ||
      header.toString('ascii', 0, 4) !== 'RIFF' ||
      header.toString('ascii', 8, 12) !== 'WAVE'
    )
      return null;
    let byteRate = 0;
    for (let at = 12; at + 8 <= header.length;) {
      const id = header.toString('ascii', at, at + 4);
      const length = header.readUInt32LE(at + 4);
      if (id === 'fmt ' && at + 16 <= header.length) byteRate = header.readUInt32LE(at + 8 + 8);
      if (id === 'data') {
        if (byteRate === 0) return null;
        // a recorder killed before patching the header leaves length 0 or 0xffffffff: use the file size instead
        const dataBytes =
          length === 0 || length === 0xffffffff ? size - (at + 8) : Math.min(length, size - (at + 8));
        return dataBytes / byteRate;
      }
      at += 8 + length + (length % 2);
    }
    return null;
  } finally {
    await file.close();
  }
}
