/** 2968348 → "49.47 min", 45210 → "45.2 s"; no time → "—". Shared by the CLI's output and the agent's prompts. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(2)} min` : `${(ms / 1000).toFixed(1)} s`;
}
