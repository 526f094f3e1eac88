import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError, parseFlags } from './args.js';

describe('parseFlags', () => {
  const parse = (argv: string[]) => {
    const o = { seconds: 60, era: 'mortal', keep: false, accounts: 0 };
    const r = parseFlags(argv, {
      '--seconds': (f) => (o.seconds = f.positive()),
      '--accounts': (f) => (o.accounts = f.count()),
      '--era': (f) => (o.era = f.oneOf('mortal', 'immortal')),
      '--keep': () => (o.keep = true),
    });
    return { r, o };
  };

  it('applies flags in order and reports help for --help and -h anywhere', () => {
    assert.deepEqual(parse(['--seconds', '2.5', '--era', 'immortal', '--keep', '--accounts', '10']), { r: 'ok', o: { seconds: 2.5, era: 'immortal', keep: true, accounts: 10 } });
    assert.equal(parse(['--help']).r, 'help');
    assert.equal(parse(['--seconds', '3', '-h']).r, 'help');
  });

  it('names an unknown flag, a missing or bad value', () => {
    assert.throws(() => parse(['--rate', '5']), (e: unknown) => e instanceof UsageError && /unknown argument --rate/.test(e.message));
    assert.throws(() => parse(['--seconds']), (e: unknown) => e instanceof UsageError && /--seconds needs a value/.test(e.message));
    assert.throws(() => parse(['--seconds', '-1']), UsageError);
    assert.throws(() => parse(['--seconds', '']), UsageError);
    assert.throws(() => parse(['--accounts', '2.5']), UsageError);
    assert.throws(() => parse(['--era', 'eternal']), (e: unknown) => e instanceof UsageError && /--era mortal\|immortal/.test(e.message));
    assert.throws(() => parse(['toString']), UsageError);
  });
});
