import type { Agent, AgentDescription, ProposeInput, Proposal } from '../../src/core/agent/agent.js';

/**
 * A training script that needs no torch: it prints upstream-format validation lines with the train_time it is
 * told to report, after sleeping `sleepS` of wall time, so engine tests run real processes through the real parser.
 */
export function fakeTrainingScript(opts: { timeMs: number; finalLoss?: number; sleepS?: number; crash?: boolean; tag?: string }): string {
  const { timeMs, finalLoss = 1.85, sleepS = 0, crash = false, tag = '' } = opts;
  return [
    `# fake training ${tag}`,
    'import time',
    `time.sleep(${sleepS})`,
    crash ? 'raise RuntimeError("fake crash")' : '',
    `print("step:0/10 val_loss:3.0000 train_time:0ms step_avg:nanms", flush=True)`,
    `print("step:10/10 val_loss:${finalLoss.toFixed(4)} train_time:${timeMs}ms step_avg:1.00ms", flush=True)`,
    '',
  ].join('\n');
}

/** An agent whose proposals come from a function of the request, optionally after a delay (an LLM's latency). */
export function scriptedAgent(propose: (input: ProposeInput) => Proposal, opts: { delayMs?: number; onPropose?: (input: ProposeInput) => void } = {}): Agent {
  return {
    name: 'scripted',
    describe: (): AgentDescription => ({ name: 'scripted' }),
    async propose(input) {
      opts.onPropose?.(input);
      if (opts.delayMs) await new Promise((resolve) => setTimeout(resolve, opts.delayMs));
      return propose(input);
    },
  };
}
