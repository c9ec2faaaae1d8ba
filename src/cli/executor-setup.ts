import { join } from 'node:path';
import Docker from 'dockerode';
import { DockerExecutor } from '../core/exec/docker/docker-executor.js';
import { toDockerError } from '../core/exec/docker/docker-errors.js';
import { imageForRecord, imageTag } from '../core/exec/docker/images.js';
import { runCommand } from '../core/exec/command-runner.js';
import { detectGpus, NVIDIA_SMI_ENV, slotPoolFor } from '../core/exec/gpus.js';
import { LocalExecutor } from '../core/exec/local.js';
import { SimExecutor } from '../core/exec/sim/sim-executor.js';
import { SIM_TIME_SCALE_ENV, simTimeScale, simulatedGpus } from '../core/exec/sim/sim-settings.js';
import { SlurmExecutor } from '../core/exec/slurm/slurm-executor.js';
import { EXECUTOR_NAMES, type ExecutorName } from '../core/exec/types.js';
import type { Execution } from '../core/exec/execution.js';
import { UserError } from '../core/errors.js';
import type { CliContext } from './context.js';
import { findConfig } from './config.js';

export interface ExecutionFlags {
  executor: string;
  /** CPU slots (nodes training at once) when no GPUs are asked for. */
  slots?: number;
  /** GPU ids to use ("0-7"), and how many each node gets. */
  gpus?: string;
  gpusPerRun?: number;
  config?: string;
}

export type { Execution } from '../core/exec/execution.js';

export function parseExecutorName(name: string): ExecutorName {
  const known = EXECUTOR_NAMES.find((n) => n === name);
  if (!known) throw new UserError(`unknown executor '${name}'`, `use one of: ${EXECUTOR_NAMES.join(', ')}`);
  return known;
}

/** Checks what the chosen executor needs up front (Docker answering, GPUs present) and builds its slots. */
export async function prepareExecution(ctx: CliContext, flags: ExecutionFlags): Promise<Execution> {
  const name = parseExecutorName(flags.executor);
  const wantsGpus = flags.gpus !== undefined || flags.gpusPerRun !== undefined;
  // Simulated trainings need no devices: the GPUs named by --gpus are taken to exist.
  const inventory = !wantsGpus ? [] : name === 'sim' ? simulatedGpus(flags.gpus) : await detectGpus(runCommand, { nvidiaSmi: ctx.env[NVIDIA_SMI_ENV] });
  const plan = slotPoolFor({ gpus: flags.gpus, gpusPerRun: flags.gpusPerRun, cpuSlots: flags.slots, inventory });
  for (const warning of plan.warnings) ctx.log(`warning: ${warning}`);
  ctx.log(`executor: ${name}, ${plan.description}`);
  if (name === 'local') {
    const local = new LocalExecutor();
    return { name, slots: plan.pool, executorFor: () => local };
  }
  if (name === 'sim') {
    const timeScale = simTimeScale(ctx.env[SIM_TIME_SCALE_ENV]);
    return { name, slots: plan.pool, executorFor: (manifest, record) => new SimExecutor({ manifest, record, timeScale }) };
  }
  if (name === 'slurm') {
    const slurm = new SlurmExecutor({ config: (await findConfig(ctx, flags.config))?.slurm });
    return { name, slots: plan.pool, executorFor: () => slurm };
  }
  const docker = new Docker();
  await docker.ping().catch((error: unknown) => {
    throw toDockerError(error);
  });
  const byImage = new Map<string, DockerExecutor>();
  return {
    name,
    slots: plan.pool,
    executorFor: (manifest, record) => {
      const image = imageForRecord(manifest, record);
      if (!image)
        throw new UserError(
          `no container image is known for ${manifest.track} record ${record}`,
          "use --executor local, or name the record's image in records/<track>.json",
        );
      const tag = imageTag(image);
      let executor = byImage.get(tag);
      // torch.compile and Triton caches persist per image and run under the cache folder.
      if (!executor) byImage.set(tag, (executor = new DockerExecutor(docker, { image: tag, compileCacheDir: join(ctx.cache().root, 'compile-cache') })));
      return executor;
    },
  };
}
