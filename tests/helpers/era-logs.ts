/**
 * Training logs in the shape of each era of the speedrun's record logs, written for the tests (no upstream text):
 * the script that wrote them, its separator line of 100 '=', what the machine printed, and the training lines.
 */
export const SEP = '='.repeat(100);

const gpuRows = (n: number) =>
  Array.from({ length: n }, (_, i) => `|   ${i}  NVIDIA H100 80GB HBM3          On  |   0000000${i}:00.0 Off |                    0 |`).join('\n');

const training = (steps: number, finalLoss: string, timeMs: number) =>
  [
    `step:0/${steps} val_loss:10.8300 train_time:0ms step_avg:nanms`,
    `step:1/${steps} train_time:${Math.round(timeMs / steps)}ms step_avg:1.00ms`,
    `step:${steps}/${steps} val_loss:${finalLoss} train_time:${timeMs}ms step_avg:${(timeMs / steps).toFixed(2)}ms`,
    'peak memory allocated: 100 MiB reserved: 200 MiB',
  ].join('\n');

/** 2024: the file writes the separator, the code as it is, the separator again. */
export function log2024(script: string): string {
  return `${SEP}\n${script}${SEP}\nRunning pytorch 2.4.1+cu121 compiled for CUDA 12.1\nnvidia-smi:\n${gpuRows(8)}\n\n${SEP}\n${training(30, '3.2790', 900)}\n`;
}

/** 2025: print(code), then the separator line; an untimed warm-up before the clock starts. */
export function log2025(script: string, gpus = 8): string {
  return `${script}\n${SEP}\nRunning Python 3.12.3\nRunning PyTorch 2.8.0.dev20250101+cu126 compiled for CUDA 12.6\n${gpuRows(gpus)}\n\n${SEP}\nwarming up kernels\n${training(20, '3.2781', 700)}\n`;
}

/** 2026: the script appends the kernel files it imports, each after a banner, before print(code). */
export function log2026(script: string, kernels: Record<string, string>): string {
  const code = Object.entries(kernels).reduce((all, [name, text]) => `${all}\n\n${'-'.repeat(40)}\n# ${name}\n${'-'.repeat(40)}\n\n${text}`, script);
  return `${code}\n${SEP}\nRunning PyTorch 2.10.0+cu128 compiled for CUDA 12.8\n${gpuRows(1)}\n\n${SEP}\nCompiling model and warming up kernels\nSampling steps [0, 1, 2] for warmup\nResetting Model\n${training(12, '3.2770', 500)}\n`;
}

/** The llm.c era: no script in the log at all. */
export function logWithoutScript(): string {
  return `s:0 tel:10.9\ns:100 trl:6.1\n${training(10, '3.2800', 100)}\n`;
}

/** Small scripts standing in for record scripts of each era (not upstream code). */
export const eraScripts = {
  r1: 'import os\nwith open(__file__) as f:\n    code = f.read()\nnum_iterations = 3000 # steps\nwarmup_iters = 0\nprint("record one")\n',
  r2: 'import os\nclass Hyperparameters:\n    num_iterations: int = 2000\n    iteration_extension = 40\nprint("record two")\n',
  r3: 'import os\nfrom my_kernels import fused\nclass Hyperparameters:\n    num_scheduled_iterations: int = 1500\n    num_extension_iterations: int = 40\nprint("record three")\n',
  kernel: 'import triton\n\ndef fused(x):\n    return x\n',
};
