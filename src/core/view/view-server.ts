import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RowCache } from './row-cache.js';
import { buildCatalog, type ViewCatalog } from './view-catalog.js';
import { readViewAsset, VIEW_ASSETS, viewPage, type ViewAsset } from './view-assets.js';
import { dataFor, parseKey } from './view-routes.js';
import type { ViewSources } from './view-true-diff.js';

/** Where `speedrun view` listens unless told: loopback only, so the results are not shared by accident. */
export const DEFAULT_VIEW_HOST = '127.0.0.1';
export const DEFAULT_VIEW_PORT = 8737;
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface ViewServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * A read-only HTTP server over results folders: GET only; the app's three files and `/api/<key>` (view-routes.ts),
 * nothing else. The catalog of runs is read again whenever the index is asked for, so a bench still running shows
 * its new runs on reload.
 */
export async function startViewServer(
  roots: readonly string[],
  host = DEFAULT_VIEW_HOST,
  port = DEFAULT_VIEW_PORT,
  sources: ViewSources = { cache: null },
): Promise<ViewServer> {
  let catalog: ViewCatalog = await buildCatalog(roots);
  // The first index is served from the catalog just built; later ones list the folders again (new runs appear).
  let catalogFresh = true;
  const rows = new RowCache();
  const loopbackOnly = LOOPBACK_NAMES.has(host);
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, 'application/json', JSON.stringify({ error: (error as Error).message })));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'read-only: GET only\n');
    // A page elsewhere could reach a loopback server through a DNS name it controls (DNS rebinding): refuse other names.
    if (loopbackOnly && !LOOPBACK_NAMES.has(hostName(req.headers.host ?? ''))) return send(res, 421, 'text/plain', 'unexpected Host\n');
    const path = (req.url ?? '/').split(/[?#]/)[0]!;
    if (path === '/' || path === '/index.html') return send(res, 200, VIEW_ASSETS['index.html'], await viewPage('server'));
    const asset = path.slice(1);
    if (asset !== 'index.html' && asset in VIEW_ASSETS) return send(res, 200, VIEW_ASSETS[asset as ViewAsset], await readViewAsset(asset as ViewAsset));
    if (!path.startsWith('/api/')) return notFound(res);
    let parts: string[];
    try {
      parts = path.slice('/api/'.length).split('/').map(decodeURIComponent);
    } catch {
      return notFound(res);
    }
    const key = parseKey(parts);
    if (!key) return notFound(res);
    if (key.kind === 'index' && !catalogFresh) catalog = await buildCatalog(roots);
    if (key.kind === 'index') catalogFresh = false;
    const data = await dataFor(catalog, key, sources, rows);
    if (data === null) return notFound(res);
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify(data));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function hostName(header: string): string {
  return header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0]!;
}

function notFound(res: ServerResponse): void {
  send(res, 404, 'application/json', JSON.stringify({ error: 'not found: the viewer serves its app and /api/<key> only (docs/view.md)' }));
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
