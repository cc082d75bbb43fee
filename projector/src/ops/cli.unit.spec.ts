import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from './cli.js';

const position = '00000000000000000731.00000000000000000042';

describe('ops CLI arguments', () => {
  it('parses every command with its options', () => {
    expect(parseCommand([])).toEqual({ name: 'help' });
    expect(parseCommand(['status', '--json'])).toEqual({ name: 'status', json: true });
    expect(parseCommand(['rebuild'])).toEqual({ name: 'rebuild' });
    expect(parseCommand(['retention'])).toEqual({ name: 'retention' });
    expect(parseCommand(['search-rebuild'])).toEqual({ name: 'search-rebuild' });
    expect(parseCommand(['rebase-txids', '--check'])).toEqual({ name: 'rebase-txids', check: true });
    expect(parseCommand(['backup', 'verify', 'b.ndjson', '--fold'])).toEqual({
      name: 'backup verify',
      file: 'b.ndjson',
      fold: true,
    });
    expect(parseCommand(['backup', 'restore', 'b.ndjson'])).toEqual({ name: 'backup restore', file: 'b.ndjson' });
    const replay = parseCommand([
      'replay',
      '--to',
      'https://hooks.example.test/x',
      '--from',
      position,
      '--batch-size',
      '50',
    ]);
    expect(replay).toMatchObject({ name: 'replay', from: position, batchSize: 50, maxRetries: 8 });
  });

  it.each([
    [['launch'], 'unknown command "launch"'],
    [['status', 'now'], 'unexpected argument "now"'],
    [['retention', 'now'], 'unexpected argument "now"'],
    [['search-rebuild', 'now'], 'unexpected argument "now"'],
    [['status', '--verbose'], "Unknown option '--verbose'"],
    [['backup', 'create'], 'backup create needs a <file>'],
    [['backup', 'erase', 'x'], 'backup needs create|verify|restore <file>'],
    [['replay'], 'replay needs --to <webhook url>'],
    [['replay', '--to', 'file:///etc/passwd'], '--to must be an http(s) URL'],
    [['replay', '--to', 'http://h/', '--from', '42'], '--from must be a store position'],
    [['replay', '--to', 'http://h/', '--batch-size', '0'], '--batch-size must be an integer from 1 to 5000'],
    [['replay', '--to', 'http://h/', '--max-retries=x'], '--max-retries must be an integer from 0 to 100'],
  ])('refuses %j with a reason', (argv, reason) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(reason);
  });
});
