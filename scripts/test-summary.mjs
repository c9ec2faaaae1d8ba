#!/usr/bin/env node
// Prints the plain 'N passed, N failed' line CI looks for, from vitest's JSON report.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'results/test-results.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.log('0 passed, 1 failed');
  console.error(`no test report at ${file}: ${error.message}`);
  process.exit(0);
}
const passed = report.numPassedTests ?? 0;
// A file that failed to load ran no test; count it as a failure so it cannot pass unseen.
const brokenFiles = (report.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
