import { Text } from 'ink';

interface ProgressBarProps {
  step: number | null;
  totalSteps: number | null;
  width: number;
}

/** `[#####-----] 1200/3000`; just the step when the total is unknown. */
export function ProgressBar({ step, totalSteps, width }: ProgressBarProps) {
  return <Text wrap="truncate">{progressBarText(step, totalSteps, width)}</Text>;
}

export function progressBarText(step: number | null, totalSteps: number | null, width: number): string {
  if (step === null) return 'no training step yet';
  if (!totalSteps) return `step ${step}`;
  const label = ` ${step}/${totalSteps}`;
  const barWidth = Math.max(5, width - label.length - 2);
  const filled = Math.round(Math.min(1, Math.max(0, step / totalSteps)) * barWidth);
  return `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${label}`;
}
