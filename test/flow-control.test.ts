/** A viewer's flow control (PROTOCOL.md §9.1, §17 H11) and a group's keyframe limit (H12, §9.4), each on its own. */
import { FlowControl } from '../src/server/flow-control';
import { KeyframeLimiter } from '../src/server/keyframe-limiter';
import { SessionCounters } from '../src/server/metrics';

function flow(limits = {}) {
  const counters = new SessionCounters(0);
  const f = new FlowControl({ maxInflight: 2, inflightTimeoutMs: 2000, budgetBytes: 1000, overBudgetTimeoutMs: 10_000, ...limits }, counters);
  return { f, counters };
}

describe('FlowControl', () => {
  it('admits until the window is full, then refuses until an ack makes room', () => {
    const { f } = flow();
    expect(f.admit(0, 0)).toBe('send');
    f.sent(0, 0);
    expect(f.admit(1, 0)).toBe('send');
    f.sent(1, 1);
    expect(f.full).toBe(true);
    expect(f.admit(2, 0)).toBe('drop');
    expect(f.acked(0, 50)).toBe(50);
    expect(f.acked(0, 60)).toBeUndefined();
    expect(f.admit(70, 0)).toBe('send');
  });

  it('fires the backstop when the oldest send is older than the timeout', () => {
    const { f, counters } = flow();
    f.sent(0, 0);
    f.sent(1, 10);
    expect(f.admit(2000, 0)).toBe('drop');
    expect(f.admit(2001, 0)).toBe('backstop');
    expect(counters.inflightTimeouts).toBe(1);
    expect(f.size).toBe(0);
    expect(f.admit(2002, 0)).toBe('send');
  });

  it('refuses while the socket is over budget and reports too-slow after the timeout', () => {
    const { f } = flow();
    expect(f.admit(0, 1001)).toBe('drop');
    expect(f.admit(9_999, 5000)).toBe('drop');
    expect(f.admit(10_000, 5000)).toBe('too-slow');
    expect(f.admit(10_001, 10)).toBe('send');
    expect(f.admit(10_002, 2000)).toBe('drop');
  });

  it('a decoder reset forgets the window without counting acks', () => {
    const { f, counters } = flow();
    f.sent(0, 0);
    f.sent(1, 0);
    f.reset();
    expect(f.size).toBe(0);
    expect(f.acked(0, 5)).toBeUndefined();
    expect(counters.framesAcked).toBe(0);
  });
});

describe('KeyframeLimiter', () => {
  it('allows one IDR per 250 ms and says how long the next one waits', () => {
    const k = new KeyframeLimiter();
    expect(k.waitMs(0)).toBe(0);
    expect(k.take(0)).toBe(true);
    expect(k.take(100)).toBe(false);
    expect(k.waitMs(100)).toBe(150);
    expect(k.take(249)).toBe(false);
    expect(k.take(250)).toBe(true);
    expect(k.waitMs(250)).toBe(250);
  });
});
