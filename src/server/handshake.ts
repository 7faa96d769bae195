/**
 * A viewer's handshake (PROTOCOL.md §3, §16, §17 H1-H2): the first message must
 * be a valid hello within the deadline; the stream's authenticate hook runs
 * with its own deadline; then the display admits the viewer. Messages that
 * arrive meanwhile are kept and handed to the session in order.
 */
import type { IncomingMessage } from 'node:http';

import { WebSocket } from 'ws';

import { type HelloMessage, parseHello } from '../wire';
import { authContext, runAuthenticate } from './auth';
import { CLOSE, closeWs } from './close-codes';
import type { Stream } from './stream';
import type { Viewer } from './viewer';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(data: Buffer): string | undefined {
  try {
    return utf8.decode(data);
  } catch {
    return undefined;
  }
}

/**
 * What a client may send before its session exists (hello, viewport, a few
 * events). A v1 client sends a few hundred bytes; the cap only stops a client
 * that streams messages while its authentication is pending.
 */
export const MAX_BACKLOG_BYTES = 1024 * 1024;

export function handshake(ws: WebSocket, req: IncomingMessage, display: Stream, helloTimeoutMs: number): void {
  const log = display.logger.child({ remote: req.socket.remoteAddress });
  const backlog: string[] = [];
  let backlogBytes = 0;
  let slotHeld = true;
  display.beginHandshake();
  const releaseSlot = () => {
    if (slotHeld) display.endHandshake();
    slotHeld = false;
  };
  let session: Viewer | undefined;
  let helloSeen = false;
  let ended = false;
  const helloTimer = setTimeout(() => closeWs(ws, CLOSE.HELLO_TIMEOUT, 'hello timeout'), helloTimeoutMs);

  const admit = async (hello: HelloMessage) => {
    let principal: unknown;
    const hook = display.config.authenticate;
    if (hook) {
      const auth = await runAuthenticate(hook, authContext(req, hello, display.name), display.config.authTimeoutMs);
      if (!auth.ok) {
        log.warn('viewer rejected by authenticate');
        return closeWs(ws, CLOSE.UNAUTHORIZED, 'unauthorized');
      }
      principal = auth.principal;
    }
    if (ended || ws.readyState !== WebSocket.OPEN) return;
    // admit() adds the session before its first await, so the slot passes straight to it.
    releaseSlot();
    const admitted = await display.admit(ws, hello, principal);
    if (!('id' in admitted)) return closeWs(ws, admitted.code, admitted.reason);
    if (ended) {
      admitted.end();
      return;
    }
    session = admitted;
    for (const text of backlog.splice(0)) if (!session.handleText(text)) break;
  };

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    try {
      const text = isBinary ? undefined : decodeUtf8(data);
      if (!helloSeen) {
        const hello = text === undefined ? undefined : parseHello(text);
        if (!hello || !hello.ok) return closeWs(ws, CLOSE.PROTOCOL, hello?.ok === false ? hello.reason : 'protocol error: expected hello');
        helloSeen = true;
        clearTimeout(helloTimer);
        admit(hello.message).catch((err: unknown) => {
          log.error({ err }, 'handshake failed');
          closeWs(ws, CLOSE.INTERNAL, 'internal error');
        });
        return;
      }
      if (isBinary) return;
      if (text === undefined) return closeWs(ws, CLOSE.PROTOCOL, 'protocol error: text is not valid UTF-8');
      if (session) return void session.handleText(text);
      backlogBytes += text.length;
      if (backlogBytes > MAX_BACKLOG_BYTES) return closeWs(ws, CLOSE.PROTOCOL, 'protocol error: too many messages before config');
      backlog.push(text);
    } catch (err) {
      log.error({ err }, 'message handling failed');
      closeWs(ws, CLOSE.INTERNAL, 'internal error');
    }
  });
  ws.on('close', () => {
    ended = true;
    releaseSlot();
    clearTimeout(helloTimer);
    void session?.end();
  });
}
