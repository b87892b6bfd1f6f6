import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { OutboundBudget } from '../../src/publish/outbound-budget.js';

/** A flush the test answers: each call waits until `answer()` (the server's PONG). */
function scriptedFlush() {
  const waiting: (() => void)[] = [];
  return {
    calls: () => waiting.length,
    flush: () => new Promise<void>((resolve) => waiting.push(resolve)),
    answer: async () => {
      waiting.shift()?.();
      await turn();
    },
  };
}

test('pending bytes grow with what is sent and shrink by what a flush confirmed', async () => {
  const server = scriptedFlush();
  const budget = new OutboundBudget(server.flush, 1000);
  assert.ok(budget.fits(400));
  budget.sent(400);
  assert.equal(server.calls(), 1, 'the first send starts a confirmation');
  budget.sent(400);
  assert.equal(server.calls(), 1, 'one confirmation at a time');
  assert.equal(budget.pendingBytes, 800);
  assert.equal(budget.fits(300), false, 'over the limit');
  assert.ok(budget.fits(200), 'exactly at the limit');
  await server.answer(); // confirms the first 400 only: the flush went out after them
  assert.equal(budget.pendingBytes, 400);
  assert.ok(budget.fits(300));
  assert.equal(server.calls(), 1, 'fits() started the next confirmation');
  await server.answer();
  assert.equal(budget.pendingBytes, 0);
});

test('a packet larger than the whole budget still goes when nothing is pending', () => {
  const budget = new OutboundBudget(() => new Promise(() => {}), 1000);
  assert.ok(budget.fits(5000));
  budget.sent(5000);
  assert.equal(budget.fits(1), false);
});

test('a new connection starts from zero; a late answer from the old one changes nothing', async () => {
  const server = scriptedFlush();
  const budget = new OutboundBudget(server.flush, 1000);
  budget.sent(900);
  budget.reset();
  assert.equal(budget.pendingBytes, 0);
  budget.sent(100);
  assert.equal(server.calls(), 2, 'the reset connection gets its own confirmation');
  await server.answer(); // the old connection's flush
  assert.equal(budget.pendingBytes, 100);
  await server.answer();
  assert.equal(budget.pendingBytes, 0);
});

test('a failed flush is retried on the next send', async () => {
  let calls = 0;
  const budget = new OutboundBudget(() => {
    calls++;
    return Promise.reject(new Error('closed'));
  }, 1000);
  budget.sent(100);
  await turn();
  budget.sent(100);
  assert.equal(calls, 2);
  assert.equal(budget.pendingBytes, 200);
});

test('small messages are confirmed in bulk: no PING until a sixteenth of the budget is pending', async () => {
  const server = scriptedFlush();
  const budget = new OutboundBudget(server.flush, 1600);
  for (let i = 0; i < 9; i++) budget.sent(10);
  assert.equal(server.calls(), 0);
  budget.sent(10);
  assert.equal(server.calls(), 1, '100 bytes pending: one confirmation for all ten');
  await server.answer();
  assert.equal(budget.pendingBytes, 0);
});

test('a message that does not fit starts a confirmation even below the sixteenth', async () => {
  const server = scriptedFlush();
  const budget = new OutboundBudget(server.flush, 1600);
  budget.sent(50);
  assert.equal(server.calls(), 0);
  assert.equal(budget.fits(1580), false);
  assert.equal(server.calls(), 1);
  await server.answer();
  assert.ok(budget.fits(1580));
});
