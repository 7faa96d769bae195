/**
 * Client -> server control messages (PROTOCOL.md §4) and their validation
 * (§17 H1, H4). Parsing never throws: a malformed message yields the close
 * reason the server sends with code 4400.
 */
import { isObject } from './json';
import type { InputEvent, ResizeInputEvent } from './events';

/** `hello`: the first message, with the client's capabilities and token (§4). */
export interface HelloMessage {
  type: 'hello';
  supported: string[];
  device_pixel_ratio?: number;
  token?: string;
  [field: string]: unknown;
}

/** `set_viewport`: the viewer's drawing area (§4, §12). */
export interface SetViewportMessage {
  type: 'set_viewport';
  width: number;
  height: number;
  pwidth?: number;
  pheight?: number;
  ratio?: number;
  pixel_ratio?: number;
}

/** `ack`: frames the viewer has decoded, for flow control (§4, §9). */
export interface AckMessage {
  type: 'ack';
  seq: number;
  decode_queue_size?: number;
  displayed?: boolean;
}

/** `event`: one input event (§4, §8). */
export interface EventMessage {
  type: 'event';
  event: InputEvent;
}

/** `request_keyframe`: the decoder needs to resync (§4, §9.2). */
export interface RequestKeyframeMessage {
  type: 'request_keyframe';
  reason?: string;
}

/** `decoder_reset`: the client rebuilt its decoder (§4). */
export interface DecoderResetMessage {
  type: 'decoder_reset';
}

/** A message of a type this version does not know: ignored (§2). */
export interface UnknownMessage {
  type: string;
  [field: string]: unknown;
}

/** Any client -> server message after the hello (§4). */
export type ClientMessage =
  | HelloMessage
  | SetViewportMessage
  | AckMessage
  | EventMessage
  | RequestKeyframeMessage
  | DecoderResetMessage
  | UnknownMessage;

/** A parse result: the message, or why it was refused. */
export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

const fail = (detail: string): { ok: false; reason: string } => ({ ok: false, reason: `protocol error: ${detail}` });

function parseObject(text: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('message is not valid JSON');
  }
  if (!isObject(value)) return fail('message is not a JSON object');
  return { ok: true, message: value };
}

/** The first message must be a hello (§17 H1); its fields are normalised. */
export function parseHello(text: string): Parsed<HelloMessage> {
  const parsed = parseObject(text);
  if (!parsed.ok || parsed.message.type !== 'hello') return fail('expected hello');
  const m = parsed.message;
  if (m.supported !== undefined && !Array.isArray(m.supported)) return fail('hello.supported must be an array');
  if (m.token !== undefined && typeof m.token !== 'string') return fail('hello.token must be a string');
  const supported = ((m.supported as unknown[] | undefined) ?? []).filter((s): s is string => typeof s === 'string');
  return { ok: true, message: { ...m, type: 'hello', supported } as HelloMessage };
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Any message after the hello (§17 H4). Unknown types pass through, to be ignored. */
export function parseClientMessage(text: string): Parsed<ClientMessage> {
  const parsed = parseObject(text);
  if (!parsed.ok) return parsed;
  const m = parsed.message;
  if (typeof m.type !== 'string') return fail('missing or non-string type');
  switch (m.type) {
    case 'set_viewport':
      if (!isFiniteNumber(m.width) || !isFiniteNumber(m.height)) {
        return fail('set_viewport needs finite numeric width and height');
      }
      break;
    case 'ack':
      if (!Number.isInteger(m.seq)) return fail('ack seq must be an integer');
      break;
    case 'event':
      if (!isObject(m.event) || typeof m.event.type !== 'string') {
        return fail('event must be an object with a string type');
      }
      break;
  }
  return { ok: true, message: m as ClientMessage };
}

/** `set_viewport` -> the `resize` input event, defaults filled in (§4). */
export function resizeEventOf(m: SetViewportMessage): ResizeInputEvent {
  const physical = (v: unknown, fallback: number) => Math.max(1, Math.round(isFiniteNumber(v) ? v : fallback));
  const ratio = isFiniteNumber(m.ratio) ? m.ratio : isFiniteNumber(m.pixel_ratio) ? m.pixel_ratio : 1;
  return {
    type: 'resize',
    width: m.width,
    height: m.height,
    pwidth: physical(m.pwidth, m.width),
    pheight: physical(m.pheight, m.height),
    ratio,
  };
}
