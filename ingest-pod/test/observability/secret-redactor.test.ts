import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createLogger,
  MIN_SECRET_LENGTH,
  redactedJson,
  redactJsonLine,
  SecretRedactor,
} from '../../src/observability/index.js';

function redactorOf(...values: string[]): SecretRedactor {
  const secrets = new SecretRedactor();
  secrets.register(...values);
  return secrets;
}

describe('SecretRedactor', () => {
  it('masks every occurrence of every registered value', () => {
    const secrets = redactorOf('s3cr3t-token', 'hunter2hunter2');
    assert.equal(
      secrets.redact('GET /a?hdnts=s3cr3t-token failed; again s3cr3t-token; pw hunter2hunter2.'),
      'GET /a?hdnts=*** failed; again ***; pw ***.',
    );
  });

  it('masks the percent-encoded forms (either hex case, + for space) and the JSON-escaped form', () => {
    const secrets = redactorOf('a/b c&d="e"');
    assert.equal(secrets.redact('x=a%2Fb%20c%26d%3D%22e%22;'), 'x=***;');
    assert.equal(secrets.redact('x=a%2fb%20c%26d%3d%22e%22;'), 'x=***;');
    assert.equal(secrets.redact('x=a%2Fb+c%26d%3D%22e%22;'), 'x=***;');
    assert.equal(secrets.redact('{"m":"a/b c&d=\\"e\\""}'), '{"m":"***"}');
    assert.equal(secrets.redact('raw a/b c&d="e" end'), 'raw *** end');
  });

  it('masks overlapping and adjacent values as one stretch, leaving no part of either', () => {
    const secrets = redactorOf('abcdef123', '123xyzuvw', 'abcdef');
    assert.equal(secrets.redact('<abcdef123xyzuvw>'), '<***>');
    assert.equal(secrets.redact('<abcdef|abcdef123123xyzuvw>'), '<***|***>');
    assert.equal(secrets.redact('abcdefabcdef'), '***');
  });

  it(`ignores empty values and values shorter than ${MIN_SECRET_LENGTH} characters`, () => {
    const secrets = redactorOf('', 'a', 'abcde');
    assert.equal(secrets.active, false);
    assert.equal(secrets.redact('a abcde b'), 'a abcde b');
    secrets.register('abcdef');
    assert.equal(secrets.active, true);
    assert.equal(secrets.redact('a abcdef b'), 'a *** b');
  });

  it('leaves text alone when nothing is registered or nothing matches', () => {
    assert.equal(new SecretRedactor().redact('https://h/x?hdnts=abc'), 'https://h/x?hdnts=abc');
    const secrets = redactorOf('not-in-the-text');
    assert.equal(secrets.redact('plain text'), 'plain text');
    assert.equal(secrets.finds('plain text'), false);
    assert.equal(secrets.finds('xx not-in-the-text'), true);
  });

  it('treats regular-expression characters in values literally', () => {
    const secrets = redactorOf('a.b*c+d?(e)[f]{g}|h^$\\');
    assert.equal(secrets.redact('axb*c+d?(e)[f]{g}|h^$\\'), 'axb*c+d?(e)[f]{g}|h^$\\');
    assert.equal(secrets.redact('-a.b*c+d?(e)[f]{g}|h^$\\-'), '-***-');
  });
});

describe('redaction of what leaves the pod', () => {
  it('redactedJson masks values and URL credentials inside every string, keeping valid JSON', () => {
    const secrets = redactorOf('tok"en\\42');
    const json = redactedJson(
      { error: 'HTTP 403 from https://h/a.m3u8?hdnts=tok%22en%5C42', nested: ['x tok"en\\42 y'] },
      secrets,
    );
    assert.deepEqual(JSON.parse(json), {
      error: 'HTTP 403 from https://h/a.m3u8?hdnts=***',
      nested: ['x *** y'],
    });
  });

  it('redactJsonLine: a password with a quote is masked whole, by value and by the URL rule', () => {
    const url = 'srt://user:pa"ss\'word@10.0.0.1:9000';
    const line = `${JSON.stringify({ msg: `opening ${url}`, url: 'https://u:p"w@h/x?token=abc"def' })}\n`;
    const out = redactJsonLine(line);
    assert.ok(out.endsWith('\n'));
    const parsed = JSON.parse(out) as { msg: string; url: string };
    assert.equal(parsed.url, 'https://u:***@h/x?token=***');
    assert.equal(parsed.msg, 'opening srt://user:***@10.0.0.1:9000');
    assert.ok(!out.includes("ss'word") && !out.includes('p\\"w') && !out.includes('def'), out);
    // A space ends a URL; only the value itself can mask a password that holds one.
    const spaced = `${JSON.stringify({ msg: 'opening srt://user:pa"ss word@10.0.0.1:9000' })}\n`;
    const byValue = redactJsonLine(spaced, redactorOf('pa"ss word'));
    assert.equal((JSON.parse(byValue) as { msg: string }).msg, 'opening srt://user:***@10.0.0.1:9000');
  });

  it('the logger masks registered values in messages, fields and errors', () => {
    const lines: string[] = [];
    const secrets = redactorOf('wmsAuthSign-value-77');
    const log = createLogger({
      stream: { namespace: 'n', name: 's' },
      destination: { write: (line: string) => void lines.push(line) },
      secrets,
    });
    log.error(
      {
        err: new Error('GET https://h/a.m3u8?wmsAuthSign=wmsAuthSign-value-77 failed'),
        got: 'wmsAuthSign-value-77',
      },
      'read wmsAuthSign-value-77',
    );
    const text = lines.join('');
    assert.ok(!text.includes('wmsAuthSign-value-77'), text);
    assert.ok(text.includes('wmsAuthSign=***'), text);
    assert.doesNotThrow(() => JSON.parse(lines[0]!));
  });
});
