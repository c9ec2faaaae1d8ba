/**
 * --executor docker: the engine must answer, have the NVIDIA runtime when training on GPUs, and hold the image
 * the track's scripts run in. --cleanup removes containers that killed runs left behind.
 */
import { join } from 'node:path';
import { loadTrack } from '../catalog/catalog.js';
import { AGENT_IMAGE, imagesForTrack, imageTag, type ImageSpec } from '../exec/docker/images.js';
import { packageRoot } from '../paths.js';
import { fail, failFromError, ok, skip, withTimeout, type Verdict } from './check.js';
import type { DoctorCheck, DoctorContext } from './context.js';

const DOCKER_ONLY = (ctx: DoctorContext) => (ctx.config.executor === 'docker' ? null : 'only for --executor docker');
const ENGINE_FIX =
  'start the Docker engine (systemctl start docker) and make sure you may use its socket (add yourself to the docker group), or point DOCKER_HOST at a running engine';
const TIMEOUT_MS = 10_000;

export const dockerEngineCheck: DoctorCheck = {
  id: 'docker',
  title: 'Docker engine',
  irrelevant: DOCKER_ONLY,
  run: async (ctx) => {
    try {
      return ok(`Docker ${await ctx.dockerVersion()}`);
    } catch (error) {
      return failFromError(error, ENGINE_FIX);
    }
  },
};

export const dockerNvidiaCheck: DoctorCheck = {
  id: 'docker-nvidia',
  title: 'Docker NVIDIA runtime',
  irrelevant: (ctx) => DOCKER_ONLY(ctx) ?? (ctx.gpusWanted ? null : 'only when training on GPUs (--track nanogpt or --gpus)'),
  run: (ctx) =>
    whenEngineAnswers(ctx, async () => {
      const info = await withTimeout(ctx.deps.docker().info(), TIMEOUT_MS, 'the Docker engine');
      const runtimes = Object.keys(info.Runtimes ?? {});
      if (runtimes.includes('nvidia')) return ok(`runtimes: ${runtimes.join(', ')}`);
      return fail(
        `the engine has no nvidia runtime (runtimes: ${runtimes.join(', ') || 'none listed'})`,
        'install the NVIDIA Container Toolkit, run `nvidia-ctk runtime configure --runtime=docker`, then restart Docker',
      );
    }),
};

/** Every image the track's records run in (each record's manifest entry names it). */
export const dockerImageCheck: DoctorCheck = {
  id: 'docker-image',
  title: 'Docker images',
  irrelevant: DOCKER_ONLY,
  run: (ctx) =>
    whenEngineAnswers(ctx, async () => {
      const images = imagesForTrack(await loadTrack(ctx.config.track));
      if (images.length === 0)
        return fail(`no image is named for the ${ctx.config.track} track`, `name each record's image in records/${ctx.config.track}.json`);
      const present = await Promise.all(images.map((image) => imagePresent(ctx, imageTag(image))));
      const missing = images.filter((_, i) => !present[i]);
      if (missing.length === 0) return ok(`${images.map(imageTag).join(', ')} present`);
      return fail(
        `${missing.map(imageTag).join(', ')} not present (the ${ctx.config.track} track runs in ${missing.length === 1 ? 'it' : 'them'})`,
        `speedrun containers build --track ${ctx.config.track}, or: ${missing.map(buildCommand).join(' && ')}`,
      );
    }),
};

/** --agent exec with --executor docker: the agent's command runs in a container of the agent image. */
export const dockerAgentImageCheck: DoctorCheck = {
  id: 'docker-agent-image',
  title: 'Docker agent image',
  irrelevant: (ctx) => DOCKER_ONLY(ctx) ?? (ctx.config.agent === 'exec' ? null : 'only for --agent exec'),
  run: (ctx) =>
    whenEngineAnswers(ctx, async () => {
      if (await imagePresent(ctx, AGENT_IMAGE)) return ok(`${AGENT_IMAGE} present`);
      return fail(
        `${AGENT_IMAGE} not present (exec agents run in it with --executor docker)`,
        "build it with scripts/ci/docker-setup.sh (it carries this machine's node binary; containers/agent/Dockerfile says how)",
      );
    }),
};

async function imagePresent(ctx: DoctorContext, tag: string): Promise<boolean> {
  try {
    await withTimeout(ctx.deps.docker().getImage(tag).inspect(), TIMEOUT_MS, 'the Docker engine');
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

/** The exact `docker build` that makes an image from the Dockerfiles shipped in containers/. */
export function buildCommand(image: ImageSpec): string {
  const args = Object.entries(image.buildArgs)
    .map(([key, value]) => ` --build-arg ${key}=${value}`)
    .join('');
  return `docker build -t ${imageTag(image)}${args} ${join(packageRoot, 'containers', image.context)}`;
}

export const dockerCleanupCheck: DoctorCheck = {
  id: 'docker-cleanup',
  title: 'orphan containers',
  irrelevant: (ctx) => (ctx.config.cleanup ? null : 'only with --cleanup'),
  run: async (ctx) => {
    const remove = ctx.deps.removeOrphanContainers;
    if (remove === undefined) {
      return fail(
        '--cleanup is not available in this build (no container cleanup is wired in)',
        'remove leftover containers by hand: docker ps -a, then docker rm -f ID',
      );
    }
    try {
      await ctx.dockerVersion();
    } catch (error) {
      return failFromError(error, ENGINE_FIX);
    }
    const removed = await remove();
    return ok(removed.length === 0 ? 'none found' : `removed ${removed.length}: ${removed.join(', ')}`);
  },
};

/** Checks that talk to the engine are moot when it does not answer; the engine check reports why. */
async function whenEngineAnswers(ctx: DoctorContext, check: () => Promise<Verdict>): Promise<Verdict> {
  try {
    await ctx.dockerVersion();
  } catch {
    return skip('the Docker engine does not answer (see the docker check)');
  }
  try {
    return await check();
  } catch (error) {
    return failFromError(error, ENGINE_FIX);
  }
}
