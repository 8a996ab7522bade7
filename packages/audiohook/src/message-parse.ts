/**
 * Parsing of text frames into typed messages. Client messages yield a typed message or a ProtocolViolation whose
 * `info` is safe to put in `disconnect.info`; server messages (checked by the client session) yield a reason string.
 */
import type { z } from 'zod';
import type { ClientMessage, ProtocolViolation, ServerMessage, UnknownClientMessage } from './contract.js';
import {
  clientEnvelopeSchema,
  clientParameterSchemas,
  serverEnvelopeSchema,
  serverParameterSchemas,
} from './message-schemas.js';

/** Maximum text message length (digest §3.4): 64 KiB, counted as the reference does (string length ≤ 65535). */
export const MAX_TEXT_LENGTH = 65535;

export type ClientParseResult =
  { ok: true; message: ClientMessage | UnknownClientMessage } | { ok: false; violation: ProtocolViolation };

export type ServerParseResult = { ok: true; message: ServerMessage } | { ok: false; reason: string };

function describeIssues(error: z.ZodError, prefix: string): string {
  const first = error.issues[0];
  if (!first) return prefix;
  const path = first.path.length > 0 ? `${prefix}.${first.path.join('.')}` : prefix;
  return `${path}: ${first.message}`.slice(0, 200);
}

function parseJsonObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'message is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'message is not a JSON object';
  return value as Record<string, unknown>;
}

export function isKnownClientType(type: string): type is keyof typeof clientParameterSchemas {
  return Object.hasOwn(clientParameterSchemas, type);
}

export function parseClientMessage(text: string, maxTextLength: number = MAX_TEXT_LENGTH): ClientParseResult {
  const bad = (code: ProtocolViolation['code'], info: string): ClientParseResult => ({
    ok: false,
    violation: { code, info },
  });
  if (text.length > maxTextLength)
    return bad('too-large', `text message exceeds ${maxTextLength} characters`);
  const object = parseJsonObject(text);
  if (typeof object === 'string')
    return bad(object.includes('JSON object') ? 'bad-envelope' : 'malformed-json', object);
  if (object.version !== '2')
    return bad('bad-version', `unsupported version ${JSON.stringify(object.version)}`);
  const envelope = clientEnvelopeSchema.safeParse(object);
  if (!envelope.success) {
    const idIssue = envelope.error.issues.some((i) => i.path[0] === 'id');
    return bad(idIssue ? 'bad-id' : 'bad-envelope', describeIssues(envelope.error, 'message'));
  }
  const type = envelope.data.type;
  if (!isKnownClientType(type)) {
    const message: UnknownClientMessage = { ...envelope.data, unknownType: true };
    return { ok: true, message };
  }
  const parameters = clientParameterSchemas[type].safeParse(envelope.data.parameters);
  if (!parameters.success)
    return bad('bad-parameters', describeIssues(parameters.error, `${type}.parameters`));
  return { ok: true, message: { ...envelope.data, parameters: parameters.data } as unknown as ClientMessage };
}

/**
 * Why a server message object does not match the closed schema of its type, or null when it does. The server
 * checks every message it sends with it, the client (simulator) every message it receives.
 */
export function serverMessageProblem(object: Record<string, unknown>): string | null {
  const parsed = parseServerObject(object);
  return parsed.ok ? null : parsed.reason;
}

export function parseServerMessage(text: string, maxTextLength: number = MAX_TEXT_LENGTH): ServerParseResult {
  if (text.length > maxTextLength)
    return { ok: false, reason: `text message exceeds ${maxTextLength} characters` };
  const object = parseJsonObject(text);
  if (typeof object === 'string') return { ok: false, reason: object };
  return parseServerObject(object);
}

function parseServerObject(object: Record<string, unknown>): ServerParseResult {
  const envelope = serverEnvelopeSchema.safeParse(object);
  if (!envelope.success) return { ok: false, reason: describeIssues(envelope.error, 'message') };
  const type = envelope.data.type;
  if (!Object.hasOwn(serverParameterSchemas, type))
    return { ok: false, reason: `unknown server message type ${type}` };
  const schema = serverParameterSchemas[type as keyof typeof serverParameterSchemas];
  const parameters = schema.safeParse(envelope.data.parameters);
  if (!parameters.success)
    return { ok: false, reason: describeIssues(parameters.error, `${type}.parameters`) };
  return { ok: true, message: { ...envelope.data, parameters: parameters.data } as unknown as ServerMessage };
}
