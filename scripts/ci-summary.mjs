#!/usr/bin/env node
// Prints the plain closing line CI reads, "N passed, N failed[, N skipped]", from vitest's JSON
// report. A missing or unreadable report counts as one failure: no report means no evidence.
import { readFileSync } from 'node:fs';

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  console.error(`ci-summary: no readable vitest report at ${path}: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// Files that failed to load (syntax errors, failing imports) have no tests but are failures.
const brokenFiles = (report.testResults ?? []).filter(
  (file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0,
).length;
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
