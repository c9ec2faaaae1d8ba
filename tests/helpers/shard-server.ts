import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeShard } from '../../src/core/data/shards.js';

/** One request the loopback server saw. */
export interface SeenRequest {
  file: string;
  range: string | null;
  authorization: string | null;
  host: string;
}

/** How the server misbehaves, per file; each entry is used up as it fires. */
export interface ServerFaults {
  /** Answer this many requests for the file with this status before serving it. */
  statusFirst: Map<string, { status: number; times: number }>;
  /** Send the full Content-Length but close the connection after this many body bytes, once. */
  cutAfter: Map<string, number>;
  /** Answer every request with the whole file (200), whatever Range says. */
  ignoreRange: boolean;
  /** Wait this long before answering each request (lets concurrent downloads overlap). */
  delayMs: number;
  /** Answer the dataset URL with a redirect to this origin (as Hugging Face redirects to its storage). */
  redirectTo: string | null;
}

export interface ShardServer {
  /** The endpoint to pass as SPEEDRUN_HF_ENDPOINT (http://127.0.0.1:PORT). */
  url: string;
  port: number;
  files: Map<string, Uint8Array>;
  requests: SeenRequest[];
  faults: ServerFaults;
  /** Most responses in flight at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

const PREFIX = '/datasets/kjj0/fineweb10B-gpt2/resolve/main/';

/** A small shard whose tokens depend on `seed`, so every file's bytes differ. */
export function makeShard(seed: number, tokens = 3000): Uint8Array {
  return encodeShard(Uint16Array.from({ length: tokens }, (_, i) => (i * 7919 + seed * 104729) % 50257));
}

/** Files for val + `trainShards` train shards, as the dataset names them. */
export function fineWebFiles(trainShards: number, tokens = 3000): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>([['fineweb_val_000000.bin', makeShard(0, tokens)]]);
  for (let i = 1; i <= trainShards; i++) files.set(`fineweb_train_${String(i).padStart(6, '0')}.bin`, makeShard(i, tokens));
  return files;
}

/** A loopback server that serves `files` under Hugging Face's dataset URL layout, with Range support. */
export async function startShardServer(files: Map<string, Uint8Array>): Promise<ShardServer> {
  const state: ShardServer = {
    url: '',
    port: 0,
    files,
    requests: [],
    faults: { statusFirst: new Map(), cutAfter: new Map(), ignoreRange: false, delayMs: 0, redirectTo: null },
    maxInFlight: 0,
    close: async () => {},
  };
  let inFlight = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const redirected = path.startsWith('/storage/');
    const file = redirected ? path.slice('/storage/'.length) : path.startsWith(PREFIX) ? path.slice(PREFIX.length) : '';
    state.requests.push({ file, range: req.headers.range ?? null, authorization: req.headers.authorization ?? null, host: req.headers.host ?? '' });
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    if (state.faults.delayMs > 0) await new Promise((r) => setTimeout(r, state.faults.delayMs));
    if (!redirected && state.faults.redirectTo) {
      res.writeHead(302, { Location: `${state.faults.redirectTo}/storage/${file}` }).end();
      return;
    }
    const fault = state.faults.statusFirst.get(file);
    if (fault && fault.times > 0) {
      fault.times--;
      res.writeHead(fault.status, { 'Content-Type': 'text/plain' }).end(`status ${fault.status}`);
      return;
    }
    const body = files.get(file);
    if (!body) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Entry not found');
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !state.faults.ignoreRange) {
      const start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'Content-Length': body.length - start,
        'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'Accept-Ranges': 'bytes',
      });
      res.end(Buffer.from(body.subarray(start)));
      return;
    }
    res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': 'bytes' });
    const cut = state.faults.cutAfter.get(file);
    if (cut !== undefined) {
      state.faults.cutAfter.delete(file);
      res.write(Buffer.from(body.subarray(0, cut)), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(Buffer.from(body));
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  state.port = port;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
