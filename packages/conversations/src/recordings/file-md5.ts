/** Base64 MD5 and size of a file, streamed (recordings can be large). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function fileMd5(path: string): Promise<{ md5: string; bytes: number }> {
  const hash = createHash('md5');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { md5: hash.digest('base64'), bytes };
}
