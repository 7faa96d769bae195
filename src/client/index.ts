/**
 * The rfbcast browser client, served at /rfbcast.js:
 *   import { RfbView } from '/rfbcast.js';
 *   const view = new RfbView(document.querySelector('#screen'), { fit: 'contain', stats: true });
 */
export { RfbView, defaultStreamUrl, type RfbViewOptions } from './view';
export type { StateChange, ViewState, ViewStats } from './worker-protocol';
export type { ReconnectOptions } from './reconnect';
export { stateText, statsText } from './overlay';
