import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import type { ResultsListing, TuiController } from '../controller.js';
import { ResultsTable } from '../components/results-table.js';
import { useKeys } from '../hooks/use-keys.js';
import { tint } from '../color.js';
import { relative } from 'node:path';

interface ResultsScreenProps {
  controller: TuiController;
  /** The results (bench) folder to compare. */
  dir: string;
  onBack: () => void;
}

/** The per-hint comparison of a results folder; q or esc goes back. */
export function ResultsScreen({ controller, dir, onBack }: ResultsScreenProps) {
  const [listing, setListing] = useState<ResultsListing | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    controller.results(dir).then(
      (r) => current && setListing(r),
      (err: unknown) => current && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      current = false;
    };
  }, [controller, dir]);

  useKeys((input, key) => {
    if (input === 'q' || key.escape) onBack();
  });

  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">{`results · ${dir}`}</Text>
      {error !== null ? (
        <Text color={tint('red')}>{`could not read the results: ${error}`}</Text>
      ) : listing === null ? (
        <Text dimColor>loading…</Text>
      ) : listing.rows.length === 0 ? (
        <Text>{`no finished runs in ${dir} yet`}</Text>
      ) : (
        <ResultsTable rows={listing.rows} />
      )}
      {/* A damaged run is left out of the table, never silently. */}
      {listing?.damaged.map((d) => (
        <Text
          key={`${d.dir}/${d.file}`}
          color={tint('yellow')}
          wrap="truncate-end"
        >{`damaged, left out: ${relative(dir, d.dir) || '.'}: ${d.file}: ${d.reason}`}</Text>
      ))}
      <Text dimColor>q/esc back</Text>
    </Box>
  );
}
