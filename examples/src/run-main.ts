import { fileURLToPath } from 'node:url';

/**
 * Runs an example's `main` when its file is executed directly (`tsx src/x.ts`), printing its
 * lines; tests import `main` instead.
 */
export function runIfMain(url: string, main: () => Promise<string[]>): void {
  if (process.argv[1] !== fileURLToPath(url)) return;
  main().then(
    (lines) => {
      for (const line of lines) process.stdout.write(`${line}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
