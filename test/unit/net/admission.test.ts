import { describe, expect, it } from 'vitest';
import {
  ConnectionAdmission,
  EVICTION_REASON,
  type AdmissionTicket,
} from '../../../src-main/core/net/admission.js';

function admission(maxConnections: number, maxConnectionsPerAddress: number) {
  let now = 0;
  const evicted: string[] = [];
  const a = new ConnectionAdmission(
    () => ({ maxConnections, maxConnectionsPerAddress }),
    () => ++now,
  );
  const admit = (address: string, label = address): AdmissionTicket | { refused: string } =>
    a.admit(address, (reason) => evicted.push(`${label}: ${reason}`));
  return { a, admit, evicted };
}

function ticket(v: AdmissionTicket | { refused: string }): AdmissionTicket {
  if ('refused' in v) throw new Error(`refused: ${v.refused}`);
  return v;
}

describe('connection admission', () => {
  it('refuses beyond the per-address cap, even when the total has room', () => {
    const { admit } = admission(10, 2);
    ticket(admit('10.0.0.1'));
    ticket(admit('10.0.0.1'));
    expect(admit('10.0.0.1')).toEqual({ refused: 'address' });
    ticket(admit('10.0.0.2'));
  });

  it('evicts the oldest pre-login connection of the busiest address for a newcomer', () => {
    const { a, admit, evicted } = admission(4, 10);
    ticket(admit('10.0.0.1', 'one-a'));
    ticket(admit('10.0.0.2', 'two-a'));
    ticket(admit('10.0.0.2', 'two-b'));
    ticket(admit('10.0.0.1', 'one-b'));
    ticket(admit('10.0.0.1', 'one-c'));
    // Two each: the tie goes to the oldest.
    expect(evicted).toEqual([`one-a: ${EVICTION_REASON}`]);
    expect(a.total).toBe(4);
    ticket(admit('10.0.0.1', 'one-d'));
    expect(evicted[1]).toBe(`two-a: ${EVICTION_REASON}`);
    // 10.0.0.1 holds three now: its oldest goes, though 10.0.0.2's is older.
    ticket(admit('10.0.0.9', 'newcomer'));
    expect(evicted[2]).toBe(`one-b: ${EVICTION_REASON}`);
  });

  it('never evicts a signed-in connection, and refuses when all are signed in', () => {
    const { admit, evicted } = admission(2, 2);
    ticket(admit('10.0.0.1')).authenticated();
    ticket(admit('10.0.0.1')).authenticated();
    expect(admit('10.0.0.2')).toEqual({ refused: 'total' });
    expect(evicted).toEqual([]);
  });

  it('frees a place once on release', () => {
    const { a, admit } = admission(1, 1);
    const first = ticket(admit('10.0.0.1'));
    first.authenticated();
    first.release();
    first.release();
    expect(a.total).toBe(0);
    ticket(admit('10.0.0.1'));
    expect(a.total).toBe(1);
  });
});
