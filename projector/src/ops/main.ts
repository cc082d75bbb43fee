import { ConfigError, loadOpsConfig } from '@primetrade/platform';
import { pino } from 'pino';
import { exitCodes, helpText, parseCommand, UsageError } from './cli.js';
import { runCommand } from './commands.js';
import { openConnections } from './connections.js';

/** `npm run ops -- <command>` (wiring only; see cli.ts for the commands and exit codes). */
async function main(argv: readonly string[]): Promise<number> {
  const io = {
    out: (text: string) => void process.stdout.write(text),
    err: (text: string) => void process.stderr.write(text),
  };
  let command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`error: ${error.message}\nsee: npm run ops -- --help\n`);
    return exitCodes.usage;
  }
  if (command.name === 'help') {
    io.out(helpText);
    return exitCodes.ok;
  }
  let config;
  try {
    config = loadOpsConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`${error.message}\n`);
    return exitCodes.usage;
  }
  const logger = pino({ level: config.logLevel, name: 'primetrade-ops' }, pino.destination(2));
  const connections = openConnections(config, logger);
  try {
    return await runCommand(command, { config, connections, logger, io });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n`);
      return exitCodes.usage;
    }
    io.err(`${command.name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failed;
  } finally {
    await connections.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ops failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = exitCodes.failed;
  },
);
