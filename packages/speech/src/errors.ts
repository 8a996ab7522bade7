/** Errors every engine and the pipeline use, so callers can tell bad input from engine trouble. */

/** The audio given to write() is not what the stream was opened for (type, sample positions). */
export class AudioFormatError extends RangeError {
  override readonly name = 'AudioFormatError';
}

/** write()/flush() on a stream that was closed: a caller bug, reported loudly. */
export class StreamClosedError extends Error {
  override readonly name = 'StreamClosedError';
  constructor(engine: string) {
    super(`${engine}: stream is closed`);
  }
}

/** The engine stopped producing (crash, hang, service down); set as SpeechStream.failed. */
export class EngineFailure extends Error {
  override readonly name = 'EngineFailure';
  constructor(
    readonly engine: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${engine}: ${message}`, options);
  }
}

/** Shared write() argument check: Int16 PCM, integer non-negative position, never going backwards. */
export function checkWrite(engine: string, pcm: unknown, startSample: number, fedUntil: number): void {
  if (!(pcm instanceof Int16Array)) {
    throw new AudioFormatError(`${engine}: audio must be Int16Array PCM, got ${describe(pcm)}`);
  }
  checkPosition(engine, startSample, fedUntil);
}

/** Shared writeMulaw() argument check: Uint8Array µ-law, the decoded copy (if any) as long, position as write(). */
export function checkMulawWrite(
  engine: string,
  mulaw: unknown,
  startSample: number,
  fedUntil: number,
  pcm?: unknown,
): void {
  if (!(mulaw instanceof Uint8Array)) {
    throw new AudioFormatError(`${engine}: µ-law audio must be a Uint8Array, got ${describe(mulaw)}`);
  }
  if (pcm !== undefined && (!(pcm instanceof Int16Array) || pcm.length !== mulaw.length)) {
    throw new AudioFormatError(
      `${engine}: the decoded copy of µ-law audio must be Int16Array PCM of its length`,
    );
  }
  checkPosition(engine, startSample, fedUntil);
}

function checkPosition(engine: string, startSample: number, fedUntil: number): void {
  if (!Number.isSafeInteger(startSample) || startSample < 0) {
    throw new AudioFormatError(`${engine}: startSample must be a non-negative integer, got ${startSample}`);
  }
  if (startSample < fedUntil) {
    throw new AudioFormatError(
      `${engine}: audio at ${startSample} overlaps audio already fed up to ${fedUntil}`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
