import { describe, expect, it } from 'vitest';
import type { LlmCallRecord } from '../src/core/store/call-record.js';
import { coalesceStream, type StreamPiece } from '../src/core/search/stream-coalescer.js';

/** A coalescer on a clock the test moves by hand, and what it sent. */
function coalescer(intervalMs = 100) {
  let clock = 0;
  const sent: StreamPiece[] = [];
  const c = coalesceStream(
    (piece) => sent.push(piece),
    intervalMs,
    () => clock,
  );
  const content = (text: string, purpose: LlmCallRecord['purpose'] = 'propose') => c.listener({ kind: 'delta', part: 'content', text }, purpose);
  return { c, sent, content, advance: (ms: number) => void (clock += ms) };
}

const piece = (text: string, part: StreamPiece['part'] = 'content', purpose = 'propose'): StreamPiece => ({ purpose, part, text, restart: false });

describe('gathering streamed pieces into events', () => {
  it('sends the first piece at once, then at most one event per interval with everything held since', () => {
    const { sent, content, advance } = coalescer();
    content('Here ');
    content('is ');
    advance(50);
    content('the ');
    expect(sent).toEqual([piece('Here ')]);
    advance(50);
    content('change.');
    expect(sent).toEqual([piece('Here '), piece('is the change.')]);
  });

  it('sends held reasoning before held content, each as its own part', () => {
    const { c, sent, content, advance } = coalescer();
    content('a');
    c.listener({ kind: 'delta', part: 'reasoning', text: 'hmm' }, 'propose');
    content('b');
    advance(100);
    content('c');
    expect(sent).toEqual([piece('a'), piece('hmm', 'reasoning'), piece('bc')]);
  });

  it('drops what is held on a restart and says so at once', () => {
    const { c, sent, content } = coalescer();
    content('partial ');
    content('text');
    c.listener({ kind: 'restart' }, 'propose');
    expect(sent).toEqual([piece('partial '), { purpose: 'propose', part: 'content', text: '', restart: true }]);
  });

  it('drops what is held when the call ends, and lets the next call start at once', () => {
    const { c, sent, content } = coalescer();
    content('one');
    content(' held');
    c.end();
    content('next call', 'edit-retry');
    expect(sent).toEqual([piece('one'), piece('next call', 'content', 'edit-retry')]);
  });

  it('never mixes the pieces of two purposes in one event', () => {
    const { sent, content } = coalescer();
    content('a');
    content('b');
    content('c', 'summarize');
    expect(sent).toEqual([piece('a'), piece('b')]);
  });
});
