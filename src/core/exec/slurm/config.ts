import { z } from 'zod';

/** Slurm's own duration syntax: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS. */
const SLURM_TIME = /^(\d+-)?\d+(:\d+){0,2}$/;

const containerNone = z.object({ mode: z.literal('none') }).strict();

const containerPyxis = z
  .object({
    mode: z.literal('pyxis'),
    /** What `srun --container-image` accepts: a registry reference or a squashfs file. */
    image: z.string().min(1),
    /** Extra `SRC:DST[:FLAGS]` mounts beside the node's folder, the script's folder and the track data. */
    mounts: z.array(z.string().min(1)).optional(),
    /** The Python inside the image; the host's interpreter path rarely exists there. */
    python: z.string().min(1).optional(),
  })
  .strict();

const containerApptainer = z
  .object({
    mode: z.literal('apptainer'),
    /** A .sif file or a URI apptainer can pull (docker://…). */
    image: z.string().min(1),
    /** Extra `SRC[:DST[:OPTS]]` binds beside the node's folder, the script's folder and the track data. */
    bind: z.array(z.string().min(1)).optional(),
    python: z.string().min(1).optional(),
  })
  .strict();

export const slurmConfigSchema = z
  .object({
    partition: z.string().min(1).optional(),
    account: z.string().min(1).optional(),
    qos: z.string().min(1).optional(),
    /** Slurm's limit for the job; when absent it is the node's timeout plus a margin (see timeLimitMinutes). */
    time_limit: z.string().regex(SLURM_TIME, 'a Slurm time such as 90, 1:30:00 or 1-00:00:00').optional(),
    /** GPUs per job as --gres=gpu:N; when absent, as many as the node was given. */
    gres_gpus: z.number().int().min(0).optional(),
    cpus_per_task: z.number().int().min(1).optional(),
    /** Slurm's --mem syntax: 16G, 64000M, 0 for the whole node. */
    mem: z
      .string()
      .regex(/^\d+[KMGT]?$/, 'a Slurm memory size such as 16G')
      .optional(),
    /** Further sbatch options, one per entry, as they would follow #SBATCH (e.g. "--constraint=h100"). */
    extra_args: z.array(z.string().regex(/^--?[A-Za-z]/, 'an sbatch option starting with -')).optional(),
    container: z.discriminatedUnion('mode', [containerNone, containerPyxis, containerApptainer]).default({ mode: 'none' }),
    /** Seconds between two squeue queries. */
    poll_interval_s: z.number().positive().max(600).optional(),
  })
  .strict();

/** The Slurm executor's settings, as a user writes them (snake_case like the rest of the config files). */
export type SlurmConfigInput = z.input<typeof slurmConfigSchema>;
/** The settings after validation, defaults applied. */
export type SlurmConfig = z.output<typeof slurmConfigSchema>;
export type SlurmContainer = SlurmConfig['container'];

export const DEFAULT_POLL_INTERVAL_S = 5;

/** Validates settings from a config file or code; throws zod's error, which names the bad field. */
export function parseSlurmConfig(input: unknown): SlurmConfig {
  return slurmConfigSchema.parse(input ?? {});
}
