import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One repository of the stand-in hub: its commit and files (path → content). */
export interface FakeHubRepo {
  repo: string;
  /** Revision names (branches such as main or v1) that resolve to `commit`. */
  revisions: string[];
  commit: string;
  files: Record<string, string>;
}

/**
 * A loopback stand-in for the two Hugging Face hub endpoints a kernel fetch uses: the revision listing
 * (`/api/models/<repo>/revision/<rev>`) and file download (`/<repo>/resolve/<commit>/<path>`). Counts requests, so
 * a test can tell a fetch from a cache hit.
 */
export async function startFakeHub(repos: FakeHubRepo[]): Promise<{ endpoint: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    requests.push(url);
    for (const r of repos) {
      const listing = `/api/models/${r.repo}/revision/`;
      if (url.startsWith(listing) && r.revisions.includes(url.slice(listing.length))) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: r.repo, sha: r.commit, siblings: Object.keys(r.files).map((rfilename) => ({ rfilename })) }));
        return;
      }
      const resolve = `/${r.repo}/resolve/${r.commit}/`;
      const content = url.startsWith(resolve) ? r.files[url.slice(resolve.length)] : undefined;
      if (content !== undefined) {
        res.setHeader('content-length', Buffer.byteLength(content));
        res.end(content);
        return;
      }
    }
    res.statusCode = 404;
    res.end('{"error":"Repository Not Found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
