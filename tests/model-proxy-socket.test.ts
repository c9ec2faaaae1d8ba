import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ExperimentRefused } from '../src/core/agent/agent.js';
import { LlmBudget } from '../src/core/agent/budget.js';
import { ModelProxy } from '../src/core/agent/proxy/model-proxy.js';
import { nodeResult } from '../src/core/store/node-result.js';
import { closeProxies, track } from './helpers/model-proxy-fixture.js';
import { removeTempDirs, tempDir } from './helpers/temp.js';

afterEach(closeProxies);
afterAll(removeTempDirs);

/** One JSON request through a Unix socket, as the forwarder in an agent's container makes it. */
function viaSocket(socketPath: string, path: string, token: string, body?: object): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path, method: body ? 'POST' : 'GET', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

describe('the proxy for agents without a model, on a Unix socket, serving experiments', () => {
  it('answers on its socket, says there is no model, and trains experiments of the node attached', async () => {
    const socketPath = join(await tempDir('proxy-socket'), 'proxy.sock');
    const proxy = track(await ModelProxy.start({ model: null, apiKey: null, budget: new LlmBudget(), socketPath }));
    const noModel = await viaSocket(socketPath, '/v1/chat/completions', proxy.token, { messages: [] });
    expect(noModel.status).toBe(503);
    expect(noModel.json).toMatchObject({ error: { message: expect.stringMatching(/this run has no model/) } });

    // No node attached: an experiment cannot be made.
    expect((await viaSocket(socketPath, '/v1/speedrun/train', proxy.token, { script: 'x = 1\n' })).status).toBe(409);
    const trained: string[] = [];
    proxy.attach({
      node: 4,
      experiment: async (script, note) => {
        trained.push(`${note}: ${script}`);
        if (trained.length > 1) throw new ExperimentRefused('the node cap is reached');
        return nodeResult({ node: 5, parent: 1, operator: 'improve', status: 'ok', measured_by: 'executed', script_sha256: 'abc', time_to_target_ms: 12_000 });
      },
    });
    const first = await viaSocket(socketPath, '/v1/speedrun/train', proxy.token, { script: 'x = 1\n', note: 'try one' });
    expect(first).toMatchObject({ status: 200, json: { node: 5, status: 'ok', time_to_target_ms: 12_000 } });
    const refused = await viaSocket(socketPath, '/v1/speedrun/train', proxy.token, { script: 'x = 2\n' });
    expect(refused).toMatchObject({ status: 409, json: { error: { type: 'experiment_refused', message: 'speedrun model proxy: the node cap is reached' } } });
    expect(trained).toEqual(['try one: x = 1\n', 'an experiment: x = 2\n']);
    // The token guards the socket as it guards the port.
    expect((await viaSocket(socketPath, '/v1/speedrun/train', 'sk-guess', { script: 'x = 3\n' })).status).toBe(401);
  });
});
