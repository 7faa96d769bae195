/** The per-viewer flow-control state machine (PROTOCOL.md §9.1, §17 H11, H12) on its own. */
import { FlowControl } from '../src/server/flow-control';
import { SessionCounters } from '../src/server/metrics';

function flow(limits = {}) {
  const counters = new SessionCounters(0);
  const f = new FlowControl({ maxInflight: 2, inflightTimeoutMs: 2000, budgetBytes: 1000, overBudgetTimeoutMs: 10_000, ...limits }, counters);
  return { f, counters };
}

describe('FlowControl', () => {
  it('sends until the window is full, then drops and forces the next IDR', () => {
    const { f, counters } = flow();
    expect(f.keyframeNow(0)).toBe(true);
    expect(f.admit(0, 0)).toBe('send');
    f.sent(0, 0);
    expect(f.admit(1, 0)).toBe('send');
    f.sent(1, 1);
    expect(f.keyframeNow(1)).toBe(false);
    expect(f.admit(2, 0)).toBe('drop');
    expect(counters.framesDropped).toBe(1);
    expect(f.acked(0, 50)).toBe(50);
    expect(f.acked(0, 60)).toBeUndefined();
    expect(f.admit(70, 0)).toBe('send');
    expect(f.keyframeNow(70)).toBe(true);
  });

  it('fires the backstop when the oldest send is older than the timeout', () => {
    const { f, counters } = flow();
    f.sent(0, 0);
    f.sent(1, 10);
    expect(f.admit(2000, 0)).toBe('drop');
    expect(f.admit(2001, 0)).toBe('send');
    expect(counters.inflightTimeouts).toBe(1);
    expect(f.size).toBe(0);
    expect(f.keyframeNow(2001)).toBe(true);
  });

  it('drops while the socket is over budget and reports too-slow after the timeout', () => {
    const { f } = flow();
    expect(f.admit(0, 1001)).toBe('drop');
    expect(f.admit(9_999, 5000)).toBe('drop');
    expect(f.admit(10_000, 5000)).toBe('too-slow');
    expect(f.admit(10_001, 10)).toBe('send');
    expect(f.admit(10_002, 2000)).toBe('drop');
  });

  it('honours one client keyframe request per 250 ms and coalesces the rest', () => {
    const { f } = flow();
    f.keyframeNow(0);
    f.requestKeyframe();
    expect(f.keyframeNow(0)).toBe(true);
    f.requestKeyframe();
    expect(f.keyframeNow(100)).toBe(false);
    f.requestKeyframe();
    expect(f.keyframeNow(249)).toBe(false);
    expect(f.keyframeNow(250)).toBe(true);
    expect(f.keyframeNow(600)).toBe(false);
  });

  it('a decoder reset forgets the window without acking and asks for an IDR', () => {
    const { f } = flow();
    f.keyframeNow(0);
    f.sent(0, 0);
    f.sent(1, 0);
    f.decoderReset();
    expect(f.size).toBe(0);
    expect(f.acked(0, 5)).toBeUndefined();
    expect(f.keyframeNow(300)).toBe(true);
  });

  it('an IDR from the GOP satisfies a pending client request', () => {
    const { f } = flow();
    f.keyframeNow(0);
    f.requestKeyframe();
    f.keyframeNow(0);
    f.requestKeyframe();
    f.keyframeSent();
    expect(f.keyframeNow(1000)).toBe(false);
  });
});
