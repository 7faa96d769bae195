/**
 * The rfbcast wire format, shared by the server and the browser client:
 * envelope, frame headers, control messages, capabilities and input events.
 * Nothing here uses Node APIs.
 */
export * from './envelope';
export * from './frames';
export * from './capabilities';
export * from './server-messages';
export * from './client-messages';
export * from './events';
export { isObject } from './json';
