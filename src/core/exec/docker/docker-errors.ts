import { ExternalError } from '../../errors.js';

export const DOCKER_FIX = 'start the Docker engine (dockerd) or use --executor local';

interface DockerApiError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: { message?: string } | null;
}

/** True when the engine could not be reached at all (no socket, refused, timed out). */
export function isUnreachable(error: unknown): boolean {
  const code = (error as DockerApiError | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH';
}

/** The engine's own message when it gave one (dockerode's is "(HTTP code 404) no such container - ..."). */
export function dockerMessage(error: unknown): string {
  const e = error as DockerApiError | undefined;
  return e?.json?.message ?? e?.message ?? String(error);
}

/**
 * Maps a dockerode failure to the CLI's external-error contract (exit 3 with a fix). A missing image gets its own
 * fix: build it with `speedrun containers build`.
 */
export function toDockerError(error: unknown, image?: string): ExternalError {
  if (error instanceof ExternalError) return error;
  if (isUnreachable(error)) {
    return new ExternalError('docker', `cannot reach the Docker engine (${dockerMessage(error)})`, DOCKER_FIX);
  }
  const e = error as DockerApiError | undefined;
  if (image !== undefined && e?.statusCode === 404 && /no such image/i.test(dockerMessage(error))) {
    return new ExternalError('docker', `image ${image} is not on this machine`, 'build it with `speedrun containers build --track <track>`');
  }
  return new ExternalError('docker', dockerMessage(error), DOCKER_FIX);
}
