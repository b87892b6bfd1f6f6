import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestRung, copySourceOf, copySubjects, copyUpstreams } from '../src/copy-source.js';

describe('copy:// source: the ladder rule', () => {
  it('reads the main packets when the upstream has no ladder', () => {
    assert.equal(bestRung(undefined), undefined);
    assert.equal(bestRung([]), undefined);
    assert.deepEqual(copySourceOf('cam', []), { stream: 'cam' });
  });

  it('picks the rung with the highest width × height × 1000 + kbps, wherever it is listed', () => {
    const ladder = [
      { name: '480p', width: 854, height: 480, bitrateKbps: 1500 },
      { name: '1080p', width: 1920, height: 1080, bitrateKbps: 6000 },
      { name: '720p', width: 1280, height: 720, bitrateKbps: 9000 },
    ];
    assert.equal(bestRung(ladder)?.name, '1080p');
    assert.deepEqual(copySourceOf('cam', ladder), { stream: 'cam', rung: '1080p' });
  });

  it('lets bitrate decide between rungs of one size, and ranks rungs without a size by bitrate alone', () => {
    assert.equal(
      bestRung([
        { name: 'lo', width: 1280, height: 720, bitrateKbps: 2000 },
        { name: 'hi', width: 1280, height: 720, bitrateKbps: 4000 },
      ])?.name,
      'hi',
    );
    // 16×16 (256 000 + 1) beats 200 000 kbps without a size: resolution weighs a thousand times more.
    assert.equal(
      bestRung([
        { name: 'nosize', bitrateKbps: 200_000 },
        { name: 'tiny', width: 16, height: 16, bitrateKbps: 1 },
      ])?.name,
      'tiny',
    );
    assert.equal(
      bestRung([
        { name: 'a', bitrateKbps: 500 },
        { name: 'b', bitrateKbps: 800 },
      ])?.name,
      'b',
    );
  });

  it('keeps the first listed among equal scores', () => {
    assert.equal(
      bestRung([
        { name: 'first', width: 640, height: 360, bitrateKbps: 800 },
        { name: 'second', width: 640, height: 360, bitrateKbps: 800 },
      ])?.name,
      'first',
    );
  });
});

describe('copy:// subjects', () => {
  it("are the upstream's .av and .events, or the rung's .av.<rung>", () => {
    assert.deepEqual(copySubjects('tributary', 'news', { stream: 'cam' }), {
      av: 'tributary.news.cam.av',
      events: 'tributary.news.cam.events',
    });
    assert.deepEqual(copySubjects('t.x', 'news', { stream: 'cam', rung: '720p' }), {
      av: 't.x.news.cam.av.720p',
      events: 't.x.news.cam.events',
    });
  });

  it('refuse names that would not make one subject token', () => {
    assert.throws(() => copySubjects('tributary', 'news', { stream: 'a.b' }), /Stream name/);
    assert.throws(() => copySubjects('tributary', 'news', { stream: 'cam', rung: '>' }), /rendition name/);
    assert.throws(() => copySubjects('tributary', 'news', { stream: 'cam', rung: 'a.b' }), /rendition name/);
  });

  it("list a spec's copy upstreams once each, ignoring other inputs", () => {
    assert.deepEqual(
      copyUpstreams([
        { url: 'udp://239.1.1.1:5000' },
        { url: 'copy://cam' },
        { url: 'COPY://cam/' },
        { url: 'copy://studio' },
        { url: 'copy://bad:1' },
      ]),
      ['cam', 'studio'],
    );
  });
});
