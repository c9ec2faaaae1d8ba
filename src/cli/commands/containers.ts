import type { Command } from 'commander';
import Docker from 'dockerode';
import { loadTrack, parseTrackName } from '../../core/catalog/catalog.js';
import { TrackName } from '../../core/catalog/schema.js';
import { UserError } from '../../core/errors.js';
import { buildImage, type BuiltImage } from '../../core/exec/docker/build-image.js';
import { toDockerError } from '../../core/exec/docker/docker-errors.js';
import { imagesForTrack, imageTag, type ImageSpec } from '../../core/exec/docker/images.js';
import type { CliContext } from '../context.js';
import { interruptSignal, parsePositiveInt } from '../options.js';

interface BuildFlags {
  track?: string;
  record?: string;
  json?: boolean;
}

/** `speedrun containers build`: the images the docker executor runs records in (containers/, images.ts, named per record in records/<track>.json). */
export function registerContainersCommands(program: Command, ctx: CliContext): void {
  const containers = program.command('containers').description('Container images for the docker executor');
  containers
    .command('build')
    .description("build the image(s) a track's records run in (every track's when --track is left out)")
    .option('--track <track>', `only this track's images (${TrackName.options.join(', ')})`)
    .option('--record <n>', "only the image of this record's era (needs --track)")
    .option('--json', 'print one JSON object on stdout (build output still goes to stderr)')
    .action(async (flags: BuildFlags) => {
      const images = await selectImages(flags);
      const docker = new Docker();
      try {
        await docker.ping();
      } catch (error) {
        throw toDockerError(error);
      }
      const signal = interruptSignal(ctx);
      const built: BuiltImage[] = [];
      for (const image of images) {
        ctx.log(`building ${imageTag(image)} from containers/${image.context} ${formatArgs(image.buildArgs)}`.trimEnd());
        const result = await buildImage(docker, image, { signal, onProgress: (line) => ctx.log(`  ${line}`) });
        ctx.log(`built ${result.tag} in ${(result.ms / 1000).toFixed(1)} s`);
        built.push(result);
      }
      if (flags.json) ctx.json({ images: built.map((b) => ({ name: b.name, tag: b.tag, ms: Math.round(b.ms) })) });
      else ctx.out(built.map((b) => b.tag).join('\n'));
    });
}

async function selectImages(flags: BuildFlags): Promise<ImageSpec[]> {
  if (flags.record !== undefined && flags.track === undefined) {
    throw new UserError('--record needs --track', 'e.g. speedrun containers build --track nanogpt --record 12');
  }
  const record = flags.record === undefined ? undefined : parsePositiveInt(flags.record, '--record');
  const tracks = flags.track === undefined ? TrackName.options : [parseTrackName(flags.track)];
  const manifests = await Promise.all(tracks.map((t) => loadTrack(t)));
  const images = [...new Map(manifests.flatMap((m) => imagesForTrack(m, record)).map((i) => [i.name, i])).values()];
  if (images.length === 0) {
    throw new UserError(`no image is known for ${flags.track} record ${flags.record}`, 'see containers/README.md for the records each image covers');
  }
  return images;
}

function formatArgs(args: Record<string, string>): string {
  return Object.entries(args)
    .map(([k, v]) => `--build-arg ${k}=${v}`)
    .join(' ');
}
