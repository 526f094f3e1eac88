// Command-line flags of the bench scripts: one loop for all of them, so that `--help`/`-h` print the usage
// and an unknown or malformed flag names itself, the same way in every script.

export class UsageError extends Error {}

/** The flag being read, and readers for its value (the next argument). */
export interface FlagReader {
  readonly flag: string;
  /** A finite number > 0. */
  positive(): number;
  /** A whole number > 0 (a fraction is refused, not rounded). */
  count(): number;
  oneOf<T extends string>(...values: T[]): T;
  text(): string;
}

export type FlagHandlers = Record<string, (read: FlagReader) => void>;

/** Applies `handlers` to `argv` in order. Returns 'help' for --help / -h; throws UsageError otherwise. */
export function parseFlags(argv: readonly string[], handlers: FlagHandlers): 'help' | 'ok' {
  let i = 0;
  let flag = '';
  const value = (): string => {
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const reader: FlagReader = {
    get flag() {
      return flag;
    },
    positive() {
      const raw = value();
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) throw new UsageError(`${flag} needs a positive number, not ${JSON.stringify(raw)}`);
      return v;
    },
    count() {
      const v = reader.positive();
      if (!Number.isInteger(v)) throw new UsageError(`${flag} needs a whole number, not ${v}`);
      return v;
    },
    oneOf<T extends string>(...values: T[]): T {
      const v = value();
      if (!(values as string[]).includes(v)) throw new UsageError(`${flag} ${values.join('|')}, not ${JSON.stringify(v)}`);
      return v as T;
    },
    text: value,
  };
  for (; i < argv.length; i++) {
    flag = argv[i]!;
    if (flag === '--help' || flag === '-h') return 'help';
    const handler = Object.hasOwn(handlers, flag) ? handlers[flag] : undefined;
    if (!handler) throw new UsageError(`unknown argument ${flag}`);
    handler(reader);
  }
  return 'ok';
}

/** parseFlags for a script's main: the usage on stdout for --help (exit 0), on stderr after a usage error (exit 2). */
export function parseCommandLine(prog: string, usage: string, argv: readonly string[], handlers: FlagHandlers): void {
  try {
    if (parseFlags(argv, handlers) === 'help') {
      process.stdout.write(usage);
      process.exit(0);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${prog}: ${err.message}\n${usage}`);
    process.exit(2);
  }
}
