/** A mistake in the command line: main.ts prints it in one line and exits 2. */
export class UsageError extends Error {}
