/**
 * Shannon entropy (bits) of a list of classes: −Σ p·log2 p over the classes' shares. 0 when every item is of one
 * class, log2(n) when n items are of n different classes; null for no item at all.
 */
export function shannonEntropyBits(classes: readonly string[]): number | null {
  if (classes.length === 0) return null;
  const counts = countClasses(classes);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / classes.length;
    h -= p * Math.log2(p);
  }
  // -0 (one class) reads as 0.
  return h === 0 ? 0 : h;
}

export function countClasses<T extends string>(classes: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const c of classes) counts.set(c, (counts.get(c) ?? 0) + 1);
  return counts;
}
