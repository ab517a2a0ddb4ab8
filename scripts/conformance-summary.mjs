// Summarises one run of the MCP conformance CLI (@modelcontextprotocol/conformance) for scripts/conformance.
//
// Usage: node conformance-summary.mjs RESULTS_DIR CLI_LOG [EXPECTED_SCENARIO...]
//
// The CLI writes one folder per scenario into RESULTS_DIR, named
// `server-<scenario>-<ISO timestamp with ':' and '.' replaced by '-'>`, holding checks.json: an array of
// checks whose status is SUCCESS, FAILURE, WARNING or INFO. As in the CLI's own summary, a scenario passes
// when none of its checks is a FAILURE. A scenario that was expected (named on the command line, listed
// in the suite, or announced in CLI_LOG by "=== Running scenario: X ===") but left no checks.json — the
// CLI crashed, timed out or never reached it — fails.
//
// With --requirements the CLI lists, after "Not scored for <revision>:", the scenarios it ran that do not
// count for the revision (extensions, pending, added later). Those are printed with "(unscored)" and not
// counted, except the names in env CONFORMANCE_COUNT_UNSCORED (comma-separated), which count like the
// required ones.
//
// Prints one PASS/FAIL line per scenario and ends with the line `N passed, M failed`.
// Exit code: 0 if M == 0 and at least one scenario ran, else 1.
import fs from 'node:fs';
import path from 'node:path';

const [resultsDir, cliLog, ...expected] = process.argv.slice(2);
if (!resultsDir || !cliLog) {
  console.error('usage: conformance-summary.mjs RESULTS_DIR CLI_LOG [EXPECTED_SCENARIO...]');
  process.exit(2);
}

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
const log = fs.existsSync(cliLog) ? stripAnsi(fs.readFileSync(cliLog, 'utf8')) : '';

// Scenario -> checks, from the result folders (the newest folder wins if a scenario ran twice).
const DIR_RE = /^server-(.+)-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)$/;
const results = new Map();
const dirs = fs.existsSync(resultsDir) ? fs.readdirSync(resultsDir).sort() : [];
for (const d of dirs) {
  const m = DIR_RE.exec(d);
  const file = path.join(resultsDir, d, 'checks.json');
  if (!m || !fs.existsSync(file)) continue;
  let checks;
  try {
    checks = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!Array.isArray(checks)) throw new Error('checks.json is not an array');
  } catch (e) {
    checks = [{ id: 'checks.json', status: 'FAILURE', errorMessage: `unreadable ${file}: ${e.message}` }];
  }
  results.set(m[1], checks);
}

// Order: expected list, then scenarios the CLI announced, then any other result folder.
const names = [];
const add = (n) => { if (n && !names.includes(n)) names.push(n); };
expected.forEach(add);
for (const m of log.matchAll(/^=== Running scenario: (.+?) ===\s*$/gm)) add(m[1]);
[...results.keys()].forEach(add);

// "Running all suite (32 scenarios) against URL" or "Running requirements 2026-07-28 (50 scenarios)
// against URL" — how many the CLI meant to run.
const announced = [...log.matchAll(/^Running (?:\S+ suite|requirements \S+) \((\d+) scenarios\)/gm)]
  .reduce((sum, m) => sum + Number(m[1]), 0);

// The unscored ones, from the CLI's "Not scored for X:" list ("  ✗ name (reason)").
const unscored = new Map();
const notScored = log.split(/^Not scored for [^\n]*$/m)[1] ?? '';
for (const m of notScored.matchAll(/^\s+[✓✗]\s+(\S+)\s+\(([^)]*)\)\s*$/gm)) unscored.set(m[1], m[2]);
const counted = new Set((process.env.CONFORMANCE_COUNT_UNSCORED ?? '').split(',').map((x) => x.trim()).filter(Boolean));
const isUnscored = (name) => unscored.has(name) && !counted.has(name);

const oneLine = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();
const clip = (s, n = 160) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

let passed = 0;
let failed = 0;
let unscoredPassed = 0;
let unscoredFailed = 0;
const width = Math.max(0, ...names.map((n) => n.length));
for (const name of names) {
  const checks = results.get(name);
  if (!checks) {
    failed++;
    console.log(`FAIL  ${name.padEnd(width)}  no results (scenario crashed, timed out or was not run)`);
    continue;
  }
  const count = (st) => checks.filter((c) => c.status === st).length;
  const [ok, bad, warn] = [count('SUCCESS'), count('FAILURE'), count('WARNING')];
  const tally = `${ok} ok, ${bad} failed, ${warn} warning${warn === 1 ? '' : 's'}`;
  if (isUnscored(name)) {
    if (bad === 0) unscoredPassed++;
    else unscoredFailed++;
    console.log(`${bad === 0 ? 'pass' : 'fail'}  ${name.padEnd(width)}  ${tally} (unscored: ${unscored.get(name)})`);
    continue;
  }
  if (bad === 0) {
    passed++;
    console.log(`PASS  ${name.padEnd(width)}  ${tally}${checks.length === 0 ? ' (no checks recorded)' : ''}`);
  } else {
    failed++;
    const first = checks.find((c) => c.status === 'FAILURE');
    const why = clip(oneLine(`${first.id ?? first.name}: ${first.errorMessage ?? first.description ?? ''}`));
    console.log(`FAIL  ${name.padEnd(width)}  ${tally} — ${why}`);
  }
}

const ran = names.filter((n) => results.has(n)).length;
const unnamed = Math.max(0, announced - names.length);
failed += unnamed;
console.log('');
if (unnamed > 0) console.log(`${unnamed} announced scenario(s) left no trace (CLI stopped early)`);
console.log(`Scenarios with results: ${ran} of ${Math.max(names.length, announced)}` +
  (announced ? ` (the CLI announced ${announced})` : ''));
if (unscored.size > 0) console.log(`Unscored: ${unscoredPassed} passed, ${unscoredFailed} failed (not counted)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
