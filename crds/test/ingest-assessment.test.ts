import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessIngestReport, type IngestReport, pushEndpoints } from '../src/index.js';

const label = (i: number) => `input ${i}`;
const report = (change: Partial<IngestReport>): IngestReport => ({
  activeInput: 0,
  exhausted: false,
  inputs: [
    { priority: 0, state: 'active' },
    { priority: 1, state: 'standby' },
  ],
  ...change,
});

describe('assessIngestReport', () => {
  const cases: [string, Partial<IngestReport>, string, string][] = [
    ['the primary delivers', {}, 'Live', 'AsExpected'],
    [
      'a fallback delivers',
      {
        activeInput: 1,
        inputs: [
          { priority: 0, state: 'degraded', errors: [{ message: 'refused', at: '' }] },
          { priority: 1, state: 'active' },
        ],
      },
      'Degraded',
      'OnFallbackInput',
    ],
    [
      'the primary delivers, the backup fails',
      {
        inputs: [
          { priority: 0, state: 'active' },
          { priority: 1, state: 'degraded' },
        ],
      },
      'Degraded',
      'InputsFailing',
    ],
    ['nothing delivers yet', { activeInput: null }, 'Connecting', 'AsExpected'],
    [
      'every input failed',
      { activeInput: 0, exhausted: true, inputs: [{ priority: 0, state: 'degraded' }] },
      'Failed',
      'AllInputsFailing',
    ],
  ];
  for (const [name, change, phase, degradedReason] of cases)
    it(name, () => {
      const assessment = assessIngestReport(report(change), label);
      assert.deepEqual([assessment.phase, assessment.degraded.reason], [phase, degradedReason]);
    });

  it('names the failing primary and its last error when on a fallback', () => {
    const { degraded } = assessIngestReport(
      report({
        activeInput: 1,
        inputs: [
          { priority: 0, state: 'degraded', errors: [{ message: 'connection refused', at: '' }] },
          { priority: 1, state: 'active' },
        ],
      }),
      label,
    );
    assert.equal(degraded.message, 'ingesting input 1; input 0 is degraded: connection refused');
  });
});

describe('pushEndpoints', () => {
  it('appends the Stream to the listener addresses, with no key', () => {
    assert.deepEqual(
      pushEndpoints({ rtmp: 'rtmp://push.example.com/', srt: 'srt://push.example.com:9000' }, 'news', 'cam'),
      {
        rtmp: 'rtmp://push.example.com/news/cam',
        srt: 'srt://push.example.com:9000?streamid=publish:news/cam',
      },
    );
    assert.deepEqual(pushEndpoints({}, 'news', 'cam'), {});
  });
});
