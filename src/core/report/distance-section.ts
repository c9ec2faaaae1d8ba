import { int, NONE } from './format.js';
import type { Report } from './schema.js';
import type { Section } from './section.js';

/**
 * "Code distance and FSR": the least-squares fit of FSR on the best node's embedding distance to record i+1
 * (`speedrun distance`), cosine and normalized L2, with its R², and the scatter. None when no run has a distance.
 */
export function distanceFitSections(report: Report): Section[] {
  const fit = report.reproduction.distance_fit;
  if (!fit) return [];
  const mixed = fit.models.length > 1 ? ` Several embedding models (${fit.models.join(', ')}) are mixed here: their distances are not on one scale.` : '';
  const rows = (['cosine', 'l2'] as const).map((measure) => {
    const f = fit[measure];
    return [
      measure === 'cosine' ? 'cosine distance to record i+1' : 'normalized L2 to record i+1',
      int(fit.runs),
      f === null ? NONE : f.slope.toFixed(3),
      f === null ? NONE : f.intercept.toFixed(3),
      f === null ? 'too few points (or no spread)' : f.r2.toFixed(3),
    ];
  });
  return [
    {
      id: 'distance-fit',
      title: 'Code distance and FSR',
      intro:
        `How far each run's best script lies from record i+1's in the embedding space of ${fit.models.join(', ')} ` +
        '(`speedrun distance`, docs/distance.md: cosine distance 1 − cos and L2 between unit vectors, 0 for the very script), ' +
        'and how much of FSR that distance explains: FSR = intercept + slope · distance by least squares over the scored runs with a distance, with its R². ' +
        `A reproduction sits near 0 and, if the record's change is what gives the speed, near FSR 1.${mixed}`,
      table: { headers: ['predictor', 'runs', 'slope', 'intercept', 'R²'], rows },
      chart: 'distance-vs-fsr',
    },
  ];
}
