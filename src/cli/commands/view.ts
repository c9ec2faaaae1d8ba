import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { writeViewBundle } from '../../core/view/view-bundle.js';
import { DEFAULT_VIEW_HOST, DEFAULT_VIEW_PORT, startViewServer } from '../../core/view/view-server.js';
import type { CliContext } from '../context.js';
import { parseWholeNumber } from '../options.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

interface ViewFlags {
  port: string;
  host: string;
  bundle?: string;
}

const HELP_AFTER = `
Pages: benches → a bench's matrix (record × hint × agent × scaffold; a chain's steps) → a run (search tree, loss
curves against the record's, judge/distance/ideas) → a node (diff against its parent and against the true next
record, log, audit findings, model calls). Every page has its own link (e.g. #/run/<bench>/<run>/node/3). Read-only: the
server answers GET only, serves nothing outside the results folders given, and listens on ${DEFAULT_VIEW_HOST} unless
--host says otherwise. --bundle writes the same app with its data as a static site that opens from disk.

Examples:
  speedrun view results/bench-2025-01-01                 then open the printed address
  speedrun view results/a results/b --port 0             any free port
  speedrun view results/bench-2025-01-01 --bundle site   a static copy: open site/index.html`;

/** `speedrun view`: browse results folders in a browser, or write them as a static site (docs/view.md). */
export function registerViewCommand(program: Command, ctx: CliContext): void {
  program
    .command('view')
    .description('browse benches, runs, nodes, diffs, logs and model calls in a browser (read-only), or write them as a static site')
    .argument('<results...>', 'results folders (a bench, single runs, or a tree of them)')
    .option('--port <n>', 'port to listen on (0: any free port)', String(DEFAULT_VIEW_PORT))
    .option('--host <address>', 'address to listen on; anything but loopback shares the results with the network', DEFAULT_VIEW_HOST)
    .option('--bundle <dir>', 'write the app and its data as a static site into DIR instead of serving')
    .addHelpText('after', HELP_AFTER)
    .action(async (results: string[], flags: ViewFlags) => {
      if (flags.bundle) {
        const written = await writeViewBundle(results, flags.bundle, { cache: ctx.cache() });
        ctx.log(`view: ${written.runs} runs, ${written.nodes} nodes written`);
        ctx.out(`${written.dir}/index.html`);
        return;
      }
      const port = parseWholeNumber(flags.port, '--port', 0);
      if (port > 65535) throw new UserError(`--port ${port} is not a port`, 'give 0–65535 (0: any free port)');
      const view = await startViewServer(results, flags.host, port, { cache: ctx.cache() }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') throw new UserError(`port ${port} is in use`, 'give another --port, or --port 0 for any free one');
        throw error;
      });
      ctx.out(view.url);
      if (!LOOPBACK.has(flags.host)) ctx.log(`view: listening on ${flags.host}: anyone who can reach this address can read these results (there is no login)`);
      ctx.log(`view: serving ${results.join(', ')} read-only at ${view.url} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        const stop = () => void view.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
