import { readDistanceFile, type DistanceFile } from '../store/distance-file.js';
import { readIdeasFile, type IdeasFile } from '../ideas/ideas-file.js';
import { DamagedRunError } from '../store/damaged-run.js';
import { DISTANCE_FILE, IDEAS_FILE, JUDGE_FILE } from '../store/layout.js';
import { readJudgeFile, type JudgeFile } from '../store/judge-file.js';
import type { CatalogRun } from './view-catalog.js';
import { guarded, type Damage } from './view-data.js';

/**
 * A run's analyses, on its page: `speedrun judge` (judge.json), `speedrun distance` (distance.json) and
 * `speedrun ideas` (ideas.json), each read by its own reader and schema. null: not made yet. A file that does not
 * read back, or is a link out of the results folder, is named in `problems` with why; the page still shows.
 */
export interface AnalysesData {
  judge: JudgeFile | null;
  distance: DistanceFile | null;
  ideas: IdeasFile | null;
  problems: Damage[];
}

export async function analysesData(run: CatalogRun): Promise<AnalysesData> {
  const problems: Damage[] = [];
  const read = async <T>(file: string, reader: (dir: string) => Promise<T | null>): Promise<T | null> => {
    if (!guarded(run, file)) {
      problems.push({ file, reason: 'a link outside the results folder; not read' });
      return null;
    }
    try {
      return await reader(run.dir);
    } catch (error) {
      if (!(error instanceof DamagedRunError)) throw error;
      problems.push({ file: error.damage.file, reason: error.damage.reason });
      return null;
    }
  };
  return {
    judge: await read(JUDGE_FILE, readJudgeFile),
    distance: await read(DISTANCE_FILE, readDistanceFile),
    ideas: await read(IDEAS_FILE, readIdeasFile),
    problems,
  };
}
