import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { ExternalError } from '../../errors.js';
import { packageRoot } from '../../paths.js';
import { toDockerError } from './docker-errors.js';
import { imageTag, type ImageSpec } from './images.js';

/** Where the Dockerfiles ship: containers/ at the package root. */
export const CONTAINERS_DIR = join(packageRoot, 'containers');

export interface BuildOptions {
  signal?: AbortSignal;
  /** Each line of the engine's build output (steps, apt and pip progress). */
  onProgress?: (line: string) => void;
}

export interface BuiltImage {
  name: string;
  tag: string;
  ms: number;
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Builds one image through the engine's API (dockerode sends the context folder as a tar): no docker CLI needed,
 * and the same connection (DOCKER_HOST) as the executor. The engine reports a failed step as an event in the
 * stream, not as an HTTP error, so events are checked for errors.
 */
export async function buildImage(docker: Docker, image: ImageSpec, opts: BuildOptions = {}): Promise<BuiltImage> {
  const tag = imageTag(image);
  const context = join(CONTAINERS_DIR, image.context);
  const started = performance.now();
  try {
    const files = await readdir(context);
    const stream = await docker.buildImage({ context, src: files }, { t: tag, buildargs: image.buildArgs, rm: true, forcerm: true, abortSignal: opts.signal });
    const events = await new Promise<BuildEvent[]>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null, output: BuildEvent[]) => (error ? reject(error) : resolve(output)),
        (event: BuildEvent) => {
          const text = event.stream ?? event.status;
          for (const line of (text ?? '').split('\n')) if (line.trim() !== '') opts.onProgress?.(line.trimEnd());
        },
      );
    });
    const failed = events.find((e) => e.error !== undefined || e.errorDetail !== undefined);
    if (failed) {
      throw new ExternalError(
        'docker',
        `building ${tag} failed: ${failed.errorDetail?.message ?? failed.error}`,
        `fix the step above in containers/${image.context}/Dockerfile, or check that the build can reach its package sources`,
      );
    }
  } catch (error) {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('interrupted');
    throw toDockerError(error);
  }
  return { name: image.name, tag, ms: performance.now() - started };
}
