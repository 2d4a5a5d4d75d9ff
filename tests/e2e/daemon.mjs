// SPDX-License-Identifier: MIT
// Starts build/skilld for an e2e test file: the bundled skills plus
// tests/e2e/fixtures, a fresh database in a temporary folder, 127.0.0.1 on a
// free port. The daemon is stopped by its process id (SIGTERM) in stop().
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(ROOT, process.env.SKILLD_BIN || 'build/skilld');
export const HOST = '127.0.0.1';

// Every regular file below dir, as paths relative to it ('/' separated), sorted.
export function filesOf(dir, prefix = '') {
	const out = [];
	for (const d of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
		const rel = prefix ? `${prefix}/${d.name}` : d.name;
		if (d.isDirectory())
			out.push(...filesOf(dir, rel));
		else if (d.isFile())
			out.push(rel);
	}
	return out.sort();
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Debian's headless chromium through playwright-core (never a downloaded
// browser; $CHROMIUM names another). The caller closes it.
export async function launchChromium() {
	const { chromium } = await import('playwright-core');
	return chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
	});
}

// A TCP port nobody listens on right now (the kernel's pick).
export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, HOST, () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

// Starts the daemon with roots (default: skills and tests/e2e/fixtures) and
// extra arguments; resolves once /healthz answers (within waitMs). Returns
// { base, tmp, pid, log(), stop() }.
export async function startDaemon({ roots = ['skills', 'tests/e2e/fixtures'], args = [], waitMs = 15000 } = {}) {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skilld-e2e-'));
	const port = await freePort();
	const base = `http://${HOST}:${port}`;
	let log = '';
	const argv = ['serve'];
	for (const r of roots)
		argv.push('--skills', r);
	argv.push('--db', path.join(tmp, 'e2e.db'), '--bind', HOST, '--port', String(port), ...args);
	const daemon = spawn(BIN, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	daemon.stdout.on('data', (d) => { log += d; });
	daemon.stderr.on('data', (d) => { log += d; });
	const exit = new Promise((resolve) => daemon.on('exit', (code, signal) => resolve({ code, signal })));
	let exited = null;
	exit.then((e) => { exited = e; });

	// Wait for /healthz (at most waitMs); an early exit fails with the log.
	for (let i = 0; ; i++) {
		if (exited)
			assert.fail(`skilld exited (${JSON.stringify(exited)}) before answering:\n${log}`);
		try {
			const res = await fetch(`${base}/healthz`);
			// 401: up, with --token-file.
			if (res.status === 401 || (res.status === 200 && (await res.json()).status === 'ok'))
				break;
		} catch { /* not listening yet */ }
		if (i >= waitMs / 100)
			assert.fail(`skilld did not answer /healthz within ${waitMs / 1000} s:\n${log}`);
		await sleep(100);
	}
	return {
		base,
		tmp,
		pid: daemon.pid,
		log: () => log,
		// SIGTERM by pid; resolves with the exit { code, signal }.
		async stop() {
			if (!exited)
				process.kill(daemon.pid, 'SIGTERM');
			const timer = setTimeout(() => daemon.kill('SIGKILL'), 10000);
			const e = await exit;
			clearTimeout(timer);
			fs.rmSync(tmp, { recursive: true, force: true });
			return e;
		},
	};
}
