// SPDX-License-Identifier: MIT
// The browser attacks of docs/security.md, in Debian's headless chromium
// (playwright-core). DNS rebinding: chromium resolves rebind.attacker.example
// to 127.0.0.1 (--host-resolver-rules), so a page loaded from that name is
// same-origin with skilld as far as the browser knows; skilld must refuse
// it on every kind of URL. Cross-site writes: a page on another site
// (http://localhost:PORT, a node server, is another site than
// http://127.0.0.1:PORT) posts the admin reload every way a page can;
// skilld's generation must not move. And the well-known index is not
// readable cross-origin (no wildcard CORS).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { chromium } from 'playwright-core';
import { freePort, sleep, startDaemon } from './daemon.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const REBIND = 'rebind.attacker.example';
let daemon, browser, attacker, attackerBase;

const generation = async () => (await (await fetch(`${daemon.base}/healthz`)).json()).generation;

before(async () => {
	daemon = await startDaemon();
	// The attacker's site: one page, whatever the path.
	const port = await freePort();
	attackerBase = `http://localhost:${port}`;
	attacker = http.createServer((req, res) => {
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end('<!doctype html><title>attacker</title><p>hello</p>');
	});
	await new Promise((resolve) => attacker.listen(port, '127.0.0.1', resolve));
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
			`--host-resolver-rules=MAP ${REBIND} 127.0.0.1`],
	});
});

after(async () => {
	if (browser)
		await browser.close();
	if (attacker)
		await new Promise((resolve) => attacker.close(resolve));
	if (daemon) {
		const { code } = await daemon.stop();
		assert.equal(code, 0, daemon.log());
	}
});

describe('browser attacks', { timeout: 90000 }, () => {
	it('a rebound name gets nothing, on every kind of URL', async () => {
		const port = new URL(daemon.base).port;
		const rebound = `http://${REBIND}:${port}`;
		const context = await browser.newContext();
		const page = await context.newPage();
		for (const p of ['/', '/skills/http-api-review', '/skills/http-api-review/SKILL.md', '/api/v1/skills',
			'/.well-known/agent-skills/index.json', '/llms.txt', '/healthz']) {
			const res = await page.goto(rebound + p);
			assert.equal(res.status(), 421, p);
			const body = await res.text();
			assert.match(body, /host_not_allowed/, p);
			assert.doesNotMatch(body, /http-api-review/, p);
		}
		// The rebound page reads skilld "same-origin" and posts to /mcp.
		const got = await page.evaluate(async () => {
			const api = await fetch('/api/v1/skills');
			const mcp = await fetch('/mcp', {
				method: 'POST',
				headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
				body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
					protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
			});
			return { api: api.status, mcp: mcp.status, text: await mcp.text() };
		});
		assert.equal(got.api, 421);
		assert.equal(got.mcp, 403);
		assert.doesNotMatch(got.text, /protocolVersion/);
		// The same server by its own name answers.
		const ok = await page.goto(`${daemon.base}/api/v1/skills`);
		assert.equal(ok.status(), 200);
		await context.close();
	});

	it('another site can neither reload nor read the index', async () => {
		const before = await generation();
		const context = await browser.newContext();
		const page = await context.newPage();
		await page.goto(attackerBase + '/');
		// full=1: a reload that got through would take a new generation
		// (one that finds nothing changed keeps it).
		const target = `${daemon.base}/api/v1/admin/reload?full=1`;
		const results = await page.evaluate(async ({ target, index }) => {
			const out = {};
			// A no-cors fetch (a "simple" request: the browser sends it,
			// the page cannot read the answer).
			await fetch(target, { method: 'POST', mode: 'no-cors', body: 'x' }).catch(() => {});
			await fetch(target, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' })
				.catch(() => {});
			// A JSON fetch needs a preflight, which skilld never grants.
			try {
				await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
				out.json = 'sent';
			} catch (e) {
				out.json = 'blocked';
			}
			// Reading the discovery index cross-origin.
			try {
				await (await fetch(index)).json();
				out.read = 'read';
			} catch (e) {
				out.read = 'blocked';
			}
			// A form post, in a frame so the page stays.
			const frame = document.createElement('iframe');
			frame.name = 'sink';
			document.body.append(frame);
			const form = document.createElement('form');
			form.method = 'POST';
			form.action = target;
			form.target = 'sink';
			form.enctype = 'text/plain';
			const input = document.createElement('input');
			input.name = '{"a":"';
			input.value = '"}';
			form.append(input);
			document.body.append(form);
			form.submit();
			await new Promise((r) => frame.addEventListener('load', r, { once: true }));
			return out;
		}, { target, index: `${daemon.base}/.well-known/agent-skills/index.json` });
		assert.equal(results.json, 'blocked');
		assert.equal(results.read, 'blocked');
		await sleep(500);
		assert.equal(await generation(), before, 'no cross-site request re-indexed');
		// From skilld's own page, a JSON post works (same origin).
		const own = await context.newPage();
		await own.goto(`${daemon.base}/`);
		const status = await own.evaluate(async () => (await fetch('/api/v1/admin/reload?full=1', {
			method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
		assert.equal(status, 200);
		assert.equal(await generation(), before + 1);
		await context.close();
	});
});
