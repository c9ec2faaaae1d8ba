import type { TrackManifest } from '../../catalog/schema.js';

/**
 * The container images (docs/architecture.md, "Container images": a PyTorch that matches the record's era); each record's manifest entry names
 * the one it runs in. The Dockerfiles live in containers/ at the package root; `speedrun containers build` builds
 * from here, and the docker executor is given the tag of the record's image. Bump an image's `version` whenever its
 * Dockerfile or build args change, so calibrations made with the old image are not compared with runs in the new one.
 */

export interface ImageSpec {
  /** Short name, also the tag's repository part after "speedrun/". */
  name: string;
  /** Image version; part of the tag. */
  version: number;
  /** Build context, relative to containers/. */
  context: string;
  /** Dockerfile ARGs (empty: the Dockerfile's defaults). */
  buildArgs: Record<string, string>;
  /** Whether the image needs NVIDIA GPUs at run time. */
  gpu: boolean;
  /** What is known about this pin, and what is not. */
  note: string;
}

/** The `kernels` package in images whose records call get_kernel (see modernEraImages). */
export const KERNELS_VERSION = '0.17.1';

export const IMAGES: readonly ImageSpec[] = [
  {
    name: 'cpu',
    version: 1,
    context: 'cpu',
    buildArgs: {},
    gpu: false,
    note: "Debian bookworm's python3-torch (PyTorch 1.13, CPU); the tiny track's scripts run on 1.13 and 2.x.",
  },
  {
    name: 'cuda-torch2.7.1',
    version: 1,
    context: 'cuda',
    buildArgs: {
      CUDA_BASE_IMAGE: 'nvidia/cuda:12.6.3-base-ubuntu22.04',
      TORCH_VERSION: '2.7.1',
    },
    gpu: true,
    note:
      "llm-speedrunner's authors measured records 1-18 on torch 2.7.1. Records 19-21 (FP8 _scaled_mm) are not " +
      'confirmed on it; upstream re-timed its record 21 on the then-latest stable torch (2.7.0, May 2025), so 2.7.1 is the best-known pin.',
  },
  ...modernEraImages(),
];

/**
 * One image per PyTorch release that the modded-nanogpt logs after record 21 print (`Running PyTorch X compiled for
 * CUDA Y`), on a CUDA base matching the wheel pip installs by default for that release. Nightlies are gone from the
 * wheel index: their records run on the release they led to and are marked approximate (docker/torch-eras.ts).
 * From torch 2.10 the records load FlashAttention-3 with the `kernels` package, so those images carry it; the logs do
 * not print its version, and the pin is the newest release documented when the images were defined. None of these
 * was built here (no GPU, no wheel index): `speedrun containers build` builds them where both exist.
 */
function modernEraImages(): ImageSpec[] {
  const era = (torch: string, cudaBase: string, version: number, kernels: boolean, note: string): ImageSpec => ({
    name: `cuda-torch${torch}`,
    version,
    context: 'cuda',
    buildArgs: { CUDA_BASE_IMAGE: `nvidia/cuda:${cudaBase}`, TORCH_VERSION: torch, ...(kernels ? { KERNELS_VERSION: KERNELS_VERSION } : {}) },
    gpu: true,
    note,
  });
  return [
    era('2.4.1', '12.1.1-base-ubuntu22.04', 1, false, 'modded-nanogpt records of Oct 2024 (logs: 2.4.1+cu121). Exact.'),
    era('2.5.0', '12.4.1-base-ubuntu22.04', 1, false, 'Logs: 2.5.0+cu124. Exact.'),
    era('2.5.1', '12.4.1-base-ubuntu22.04', 1, false, 'Logs: 2.5.1+cu124. Exact.'),
    era('2.6.0', '12.4.1-base-ubuntu22.04', 1, false, 'For 2.6.0 nightlies of Nov-Dec 2024 (approximate).'),
    era('2.8.0', '12.8.1-base-ubuntu24.04', 1, false, 'For 2.8.0 nightlies of May 2025 (approximate).'),
    era('2.9.0', '12.8.1-base-ubuntu24.04', 1, false, 'For 2.9.0 nightlies of July 2025 (approximate).'),
    era('2.10.0', '12.8.1-base-ubuntu24.04', 2, true, 'Logs: 2.10.0+cu128 (exact), 2.10.0+cu126, and 2.10.0 nightlies of Sep-Dec 2025 (approximate).'),
    era('2.11.0', '13.0.1-base-ubuntu24.04', 1, true, 'Logs: 2.11.0+cu130. Exact.'),
  ];
}

/**
 * The image exec agents run in with --executor docker (docs/agent-protocol.md, "Sandbox"): Python 3 and Node.js.
 * Not in IMAGES: its build context carries the building machine's node binary, which scripts/ci/docker-setup.sh
 * assembles (containers/agent/Dockerfile).
 */
export const AGENT_IMAGE = 'speedrun/agent:1';

/** The tag an image is built and run under, e.g. speedrun/cpu:1. */
export function imageTag(image: ImageSpec): string {
  return `speedrun/${image.name}:${image.version}`;
}

export function imageByName(name: string): ImageSpec | undefined {
  return IMAGES.find((image) => image.name === name);
}

/** The image a record runs in (its manifest entry names it), or undefined when none is named or known. */
export function imageForRecord(manifest: TrackManifest, record: number): ImageSpec | undefined {
  const name = manifest.records.find((r) => r.number === record)?.image;
  return name === undefined ? undefined : imageByName(name);
}

/** Every image a track needs (all of them when record is undefined), in record order, without duplicates. */
export function imagesForTrack(manifest: TrackManifest, record?: number): ImageSpec[] {
  const names = manifest.records.filter((r) => record === undefined || r.number === record).flatMap((r) => (r.image ? [r.image] : []));
  return [...new Set(names)].map((name) => imageByName(name)).filter((image): image is ImageSpec => image !== undefined);
}
