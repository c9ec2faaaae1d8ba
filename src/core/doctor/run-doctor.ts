/**
 * Runs every check, in parallel, for one configuration. Checks that do not matter for it are listed as skipped
 * (so the user sees what was not looked at) and never decide the verdict.
 */
import { failFromError, reportOf, skip, type CheckResult, type DoctorReport } from './check.js';
import { makeDoctorContext, type DoctorCheck, type DoctorConfig, type DoctorDeps } from './context.js';
import { dataCheck } from './data-check.js';
import { dockerAgentImageCheck, dockerCleanupCheck, dockerEngineCheck, dockerImageCheck, dockerNvidiaCheck } from './docker-checks.js';
import { gpuCheck } from './gpu-check.js';
import { llmEndpointCheck, llmKeyCheck } from './llm-checks.js';
import { blasCheck, pythonCheck } from './python-checks.js';
import { slurmCommandsCheck, slurmControllerCheck } from './slurm-checks.js';
import { gitCheck, nodeCheck } from './system-checks.js';
import { gpuTorchCheck, recordScriptsCheck } from './track-checks.js';

/** In the order they are shown: the basics, then the executor, then the agent. */
export const ALL_CHECKS: readonly DoctorCheck[] = [
  nodeCheck,
  gitCheck,
  pythonCheck,
  blasCheck,
  gpuTorchCheck,
  recordScriptsCheck,
  dataCheck,
  gpuCheck,
  dockerEngineCheck,
  dockerNvidiaCheck,
  dockerImageCheck,
  dockerAgentImageCheck,
  dockerCleanupCheck,
  slurmCommandsCheck,
  slurmControllerCheck,
  llmKeyCheck,
  llmEndpointCheck,
];

export async function runDoctor(config: DoctorConfig, deps: DoctorDeps, checks: readonly DoctorCheck[] = ALL_CHECKS): Promise<DoctorReport> {
  const ctx = makeDoctorContext(config, deps);
  const results = await Promise.all(
    checks.map(async (check): Promise<CheckResult> => {
      const reason = check.irrelevant(ctx);
      if (reason !== null) return { id: check.id, title: check.title, ...skip(reason) };
      try {
        return { id: check.id, title: check.title, ...(await check.run(ctx)) };
      } catch (error) {
        // A check that throws is a failed check, not a crashed doctor: the other results still matter.
        return { id: check.id, title: check.title, ...failFromError(error, 'this looks like a bug in speedrun doctor; please report it') };
      }
    }),
  );
  return reportOf(results);
}
