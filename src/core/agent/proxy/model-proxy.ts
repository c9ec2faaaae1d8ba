/**
 * The model proxy: an OpenAI-compatible endpoint an outside agent (a Python scaffold, a coding CLI) calls instead of
 * the model. It forwards to the run's model profile with the real key, which the agent never sees (it gets a
 * per-run token), records every call under the node being written exactly as the built-in agent's calls are, and
 * refuses calls once the run's LLM budget is spent. See docs/model-proxy.md.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeResult } from '../../store/schema.js';
import { ExperimentRefused } from '../agent.js';
import { BudgetExhaustedError, type LlmBudget } from '../budget.js';
import type { ResolvedModel } from '../llm/model-profile.js';
import { serveChat } from './chat-route.js';
import { errorBody, ProxyRefusal, readJsonBody, sendJson } from './http-io.js';
import { ProxyCall, type ProxySink } from './proxy-call.js';
import { serveResponses, translatedBody } from './responses-route.js';
import type { Fetch } from './upstream.js';

export type { ProxySink } from './proxy-call.js';

export interface ModelProxyOptions {
  /** The run's model profile; null for an agent without a model (it may still train experiments). */
  model: ResolvedModel | null;
  /** The real key, read by the caller from the profile's api_key_env; null for servers without authentication. */
  apiKey: string | null;
  budget: LlmBudget;
  /** Where to listen: loopback for local agents, a docker bridge address (or 0.0.0.0) for containerised ones. */
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /**
   * Also listen on this Unix socket (mode 0666: the token guards it), for sandboxed agents that have no network
   * and reach the proxy through the socket mounted into their container.
   */
  socketPath?: string;
  fetch?: Fetch;
}

/** The experiment route: trains the posted script as a node of the run (docs/agent-protocol.md, "Experiments"). */
const TRAIN_PATH = '/v1/speedrun/train';
const MODEL_PATHS = ['/v1/models', '/v1/chat/completions', '/v1/responses'];

export class ModelProxy {
  /** What the agent gets as OPENAI_API_KEY: fresh per run, worthless outside this proxy. */
  readonly token = `sk-speedrun-${randomBytes(24).toString('hex')}`;
  private sink: ProxySink | null = null;
  private budgetError: BudgetExhaustedError | null = null;

  private constructor(
    private readonly opts: ModelProxyOptions,
    private readonly servers: Server[],
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(opts: ModelProxyOptions): Promise<ModelProxy> {
    let proxy: ModelProxy | null = null;
    // Requests can only arrive once listen() resolved, so the proxy exists by then.
    const handler = (req: IncomingMessage, res: ServerResponse) => void proxy?.handle(req, res);
    const host = opts.host ?? '127.0.0.1';
    const tcp = await listen(handler, (server, done) => server.listen(opts.port ?? 0, host, done));
    const servers = [tcp];
    if (opts.socketPath) {
      const socketPath = opts.socketPath;
      await rm(socketPath, { force: true });
      servers.push(await listen(handler, (server, done) => server.listen(socketPath, done)));
      await chmod(socketPath, 0o666);
    }
    proxy = new ModelProxy(opts, servers, host, (tcp.address() as AddressInfo).port);
    return proxy;
  }

  /** The Unix socket it also listens on (for sandboxed agents), or null. */
  get socketPath(): string | null {
    return this.opts.socketPath ?? null;
  }

  /** The base URL for OPENAI_BASE_URL on this machine (a wildcard host is reached through loopback). */
  get url(): string {
    return this.urlFor(this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host);
  }

  /** The base URL as seen from elsewhere, e.g. from a container that reaches this machine as `host`. */
  urlFor(host: string): string {
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}/v1`;
  }

  /** Calls from now on are recorded under `sink.node`; with null, calls are refused (no node is being written). */
  attach(sink: ProxySink | null): void {
    this.sink = sink;
  }

  /** The budget refusal, once a call was refused for budget: the run then ends `budget-exhausted`. */
  get exhausted(): BudgetExhaustedError | null {
    return this.budgetError;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
    if (this.opts.socketPath) await rm(this.opts.socketPath, { force: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (error) {
      if (error instanceof ProxyRefusal) return sendJson(res, error.status, errorBody(error.message, error.type), error.headers);
      // Never let one request take the proxy down; the agent learns what broke.
      sendJson(res, 500, errorBody(`internal error: ${error instanceof Error ? error.message : String(error)}`, 'server_error'));
      if (!res.writableEnded) res.end();
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? '';
    const known = [...MODEL_PATHS, TRAIN_PATH];
    if (!known.includes(path)) throw new ProxyRefusal(404, `no route ${req.method} ${path}: this proxy serves ${known.join(', ')}`, 'invalid_request_error');
    this.authorize(req);
    if (path === TRAIN_PATH) return this.train(req, res);
    const model = this.opts.model;
    if (model === null) {
      throw new ProxyRefusal(503, 'this run has no model: start it with --model NAME to give the agent one', 'invalid_request_error', {
        'x-should-retry': 'false',
      });
    }
    if (path === '/v1/models') {
      if (req.method !== 'GET') throw new ProxyRefusal(405, `${path} takes GET`, 'invalid_request_error');
      return sendJson(res, 200, { object: 'list', data: this.models() });
    }
    if (req.method !== 'POST') throw new ProxyRefusal(405, `${path} takes POST`, 'invalid_request_error');
    const body = await readJsonBody(req);
    const sink = this.sink;
    if (sink === null) {
      throw new ProxyRefusal(409, 'no node is being written: calls are accepted only while the harness runs an agent for a node', 'invalid_request_error', {
        'x-should-retry': 'false',
      });
    }
    // A translation the proxy cannot make is refused before anything is spent.
    const chatBody = path === '/v1/responses' && model.responses_api === 'translate' ? translatedBody(model, body) : undefined;
    this.checkBudget();
    const call = new ProxyCall({ model, apiKey: this.opts.apiKey, fetch: this.opts.fetch ?? fetch, budget: this.opts.budget, sink, res });
    if (path === '/v1/chat/completions') await serveChat(call, body, res);
    else await serveResponses(call, body, res, chatBody);
  }

  private authorize(req: IncomingMessage): void {
    const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(this.token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new ProxyRefusal(401, 'unknown API key: use the token the harness put in OPENAI_API_KEY', 'invalid_request_error');
    }
  }

  private checkBudget(): void {
    try {
      this.opts.budget.check();
    } catch (error) {
      if (!(error instanceof BudgetExhaustedError)) throw error;
      this.budgetError ??= error;
      // x-should-retry: the openai clients would otherwise retry a 429 that cannot succeed.
      throw new ProxyRefusal(429, `the run's LLM budget is spent (${error.reason}); no further model calls are allowed`, 'insufficient_quota', {
        'x-should-retry': 'false',
      });
    }
  }

  private models(): object[] {
    if (this.opts.model === null) return [];
    const { name, model } = this.opts.model;
    return [...new Set([name, model])].map((id) => ({ id, object: 'model', created: 0, owned_by: 'speedrun' }));
  }

  /** POST {script, note?, smoke?}: the script trained as an experiment of the node being written; its result as JSON. */
  private async train(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw new ProxyRefusal(405, `${TRAIN_PATH} takes POST`, 'invalid_request_error');
    const body = await readJsonBody(req);
    const script = (body as { script?: unknown }).script;
    const note = (body as { note?: unknown }).note;
    const smoke = (body as { smoke?: unknown }).smoke ?? undefined;
    if (typeof script !== 'string' || script.trim() === '')
      throw new ProxyRefusal(400, 'post {"script": "<the whole train_gpt.py>", "note": "...", "smoke": STEPS (optional)}', 'invalid_request_error');
    if (smoke !== undefined && !(typeof smoke === 'number' && Number.isInteger(smoke) && smoke > 0))
      throw new ProxyRefusal(400, `"smoke" must be a positive whole number of steps, got ${JSON.stringify(smoke)}`, 'invalid_request_error');
    const experiment = this.sink?.experiment;
    if (!experiment) throw new ProxyRefusal(409, 'no node is being written, or this run makes no experiments', 'experiment_refused');
    try {
      const result = await experiment(script, typeof note === 'string' && note.trim() ? note.trim() : 'an experiment', smoke);
      sendJson(res, 200, experimentAnswer(result));
    } catch (error) {
      if (error instanceof ExperimentRefused) throw new ProxyRefusal(409, error.message, 'experiment_refused');
      throw error;
    }
  }
}

/** What the agent learns of its experiment: the measurement, as the harness made it. */
function experimentAnswer(result: NodeResult): object {
  return {
    node: result.node,
    status: result.status,
    time_to_target_ms: result.time_to_target_ms,
    val_loss_at_target: result.val_loss_at_target,
    final: result.final,
    duplicate_of: result.duplicate_of,
    integrity: result.integrity ? { verdict: result.integrity.verdict, findings: result.integrity.findings } : null,
    error: result.error,
    stderr_tail: result.stderr_tail,
    warnings: result.warnings,
  };
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, start: (server: Server, done: () => void) => void): Promise<Server> {
  const server = createServer(handler);
  // A streamed answer or an experiment's training may take many minutes: Node's default cuts requests at 5.
  server.requestTimeout = 0;
  // The proxy lives as long as its run; it never keeps a process alive that has nothing else to do.
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    start(server, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
