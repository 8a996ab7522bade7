/** Answers an upgrade request that will not be upgraded: a complete HTTP/1.1 response on the raw socket, then close. */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export function writeRawHttpResponse(
  socket: Duplex,
  status: number,
  body: Record<string, unknown>,
  extraHeaders: Record<string, string> = {},
): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  const headers = {
    Connection: 'close',
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(payload)),
    ...extraHeaders,
  };
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  // destroy once flushed: the client must not be able to keep the connection (or try an upgrade) afterwards
  socket.once('finish', () => socket.destroy());
  socket.end(`${head}\r\n\r\n${payload}`);
}
