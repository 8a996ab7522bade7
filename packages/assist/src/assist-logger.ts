/** The logging the assist package needs; a pino logger satisfies it. */
export interface AssistLogger {
  info(message: string): void;
  warn(message: string): void;
}

export const silentLogger: AssistLogger = { info: () => {}, warn: () => {} };
