// SPDX-License-Identifier: MIT
// Review runs in the browser: a review started from a checklist's page, two
// people (two browser contexts) on one review, a verdict set in one showing
// in the other within 2 s, keyboard use (j/k, p/f/n, e), notes and
// evidence, "Copy as PR comment", closing and reopening; no console error
// and nothing loaded from another host. Screenshots of the review at 1280
// and 390 px go to build/screenshots/review-<width>.png.
// Run with `make e2e`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { HOST, ROOT, startDaemon } from './daemon.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.resolve(ROOT, process.env.SKILLD_SCREENSHOTS || 'build/screenshots');
const SKILL = 'c-memory-safety-review';

let daemon, browser;
const offHost = [];
const consoleErrors = [];

async function newPage(width = 1280) {
	const context = await browser.newContext({ viewport: { width, height: 900 } });
	await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: daemon.base });
	context.on('request', (req) => {
		const u = new URL(req.url());
		if (u.protocol !== 'data:' && u.hostname !== HOST)
			offHost.push(req.url());
	});
	const page = await context.newPage();
	page.on('console', (msg) => {
		if (msg.type() === 'error')
			consoleErrors.push(`${msg.location().url}: ${msg.text()}`);
	});
	page.on('pageerror', (e) => consoleErrors.push(String(e)));
	return page;
}

const item = (page, ref) => page.locator('.ritem', { has: page.locator(`strong:text-is("${ref}")`) });

describe('review runs in the browser', () => {
	let reviewUrl, ana, ben;

	before(async () => {
		daemon = await startDaemon();
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
		});
		fs.mkdirSync(SHOTS, { recursive: true });
	});

	after(async () => {
		if (browser)
			await browser.close();
		if (daemon) {
			const e = await daemon.stop();
			assert.deepEqual(e, { code: 0, signal: null }, daemon.log());
		}
	});

	it('starts a review from the checklist page', async () => {
		ana = await newPage();
		await ana.goto(`${daemon.base}/skills/${SKILL}/checklist`);
		await ana.click('button[data-action=start-review]');
		await ana.fill('#start-review input[name=title]', 'PR 412: payment retries');
		await ana.fill('#start-review input[name=target]', 'https://example.com/pr/412');
		await Promise.all([ana.waitForURL(/\/reviews\/[0-9a-f]{16}$/), ana.click('button[data-action=create-review]')]);
		reviewUrl = ana.url();
		assert.equal(await ana.locator('h1').textContent(), 'PR 412: payment retries open');
		assert.equal(await ana.locator('[data-progress-text=all]').innerText(), '0 / 66');
	});

	it('a verdict in one browser shows in the other within 2 s', async () => {
		ben = await newPage();
		await ben.goto(reviewUrl);
		await item(ana, 'M13').locator('select[name=severity]').waitFor();
		await item(ana, 'M13').locator('button[data-verdict=fail]').click();
		await item(ana, 'M13').locator('select[name=severity]').selectOption('Critical');
		const t0 = Date.now();
		await ben.waitForFunction(() => {
			const li = [...document.querySelectorAll('.ritem')].find((x) => x.querySelector('strong').textContent === 'M13');
			return li && li.getAttribute('data-verdict') === 'fail' && li.querySelector('select').value === 'Critical';
		}, null, { timeout: 2000 });
		assert.ok(Date.now() - t0 <= 2000);
		assert.equal(await ben.locator('[data-count=fail]').innerText(), '1');
		// and back: Ben's note shows at Ana's
		await item(ben, 'M13').locator('textarea[name=note]').fill('length prefix trusted');
		await item(ben, 'M13').locator('input[name=evidence]').fill('src/pay.c:120');
		await item(ben, 'M13').locator('input[name=evidence]').press('Tab');
		await ana.waitForFunction(() => {
			const li = [...document.querySelectorAll('.ritem')].find((x) => x.querySelector('strong').textContent === 'M13');
			return li.querySelector('textarea').value === 'length prefix trusted' &&
				li.querySelector('input[name=evidence]').value === 'src/pay.c:120';
		}, null, { timeout: 2000 });
		// the changes came as events: a quiet page asks for nothing
		const asked = [];
		ben.on('request', (r) => { if (new URL(r.url()).pathname === `/api/v1/reviews/${reviewUrl.split('/').pop()}`) asked.push(r.url()); });
		await ben.waitForTimeout(2500);
		assert.equal(asked.length, 0, 'the page polled while its event stream was open');
	});

	it('keys: j/k move, p/f/n decide, e opens the note', async () => {
		await item(ana, 'M1').locator('.ritem-text').click();   // M1 has the focus
		await ana.keyboard.press('p');
		await ana.keyboard.press('j');            // M2
		await ana.keyboard.press('n');
		await ana.keyboard.press('j');
		await ana.keyboard.press('k');            // back to M2
		await ana.keyboard.press('e');
		assert.equal(await ana.evaluate(() => document.activeElement.name), 'note');
		await ana.waitForFunction(() => document.querySelector('[data-count=pass]').textContent === '1' &&
			document.querySelector('[data-count=na]').textContent === '1', null, { timeout: 2000 });
		const review = await (await fetch(`${daemon.base}/api/v1/reviews/${reviewUrl.split('/').pop()}`)).json();
		const byRef = Object.fromEntries(review.sections.flatMap((s) => s.items).map((i) => [i.ref, i]));
		assert.equal(byRef.M1.verdict, 'pass');
		assert.equal(byRef.M2.verdict, 'na');
		assert.equal(byRef.M13.severity, 'Critical');
		assert.equal(byRef.M13.evidence, 'src/pay.c:120');
		// progress per section: M1 and M2 of section 1's eight
		assert.equal(await ana.locator('.rsection').first().locator('[data-section-progress]').innerText(), '2 / 8');
	});

	it('an agent records verdicts over MCP; the open page shows them', async () => {
		const client = new Client({ name: 'skilld-e2e-agent', version: '1.0.0' });
		await client.connect(new StreamableHTTPClientTransport(new URL(`${daemon.base}/mcp`)));
		const id = reviewUrl.split('/').pop();
		const r = await client.callTool({ name: 'record_verdicts', arguments: { review: id, author: 'agent',
			verdicts: [{ item: 'M51', verdict: 'fail', severity: 'Critical', note: 'format from input',
				evidence: 'src/log.c:88' }] } });
		assert.ok(!r.isError, JSON.stringify(r.content));
		await client.close();
		await ana.waitForFunction(() => {
			const li = [...document.querySelectorAll('.ritem')].find((x) => x.querySelector('strong').textContent === 'M51');
			return li.getAttribute('data-verdict') === 'fail' && li.querySelector('input[name=evidence]').value === 'src/log.c:88' &&
				li.querySelector('.ritem-meta').textContent.startsWith('agent, ');
		}, null, { timeout: 2000 });
		// the person overrides the agent
		await item(ana, 'M51').locator('button[data-verdict=pass]').click();
		await ana.waitForFunction(() => document.querySelector('[data-count=fail]').textContent === '1', null, { timeout: 2000 });
	});

	it('copies the PR comment', async () => {
		await ana.click('button[data-action=copy-pr]');
		await ana.locator('.status', { hasText: 'Copied' }).waitFor({ timeout: 2000 });
		const text = await ana.evaluate(() => navigator.clipboard.readText());
		assert.match(text, /^### Review: PR 412: payment retries \(2 pass · 1 fail · 1 n\/a · 62 open\)\n\n/);
		assert.match(text, /\n\*\*Critical\*\*\n\n- \*\*M13\*\* Untrusted lengths validated: length prefix trusted\n  Evidence: `src\/pay\.c:120`\n/);
		assert.ok(text.includes(`- Review: ${reviewUrl}\n`));
	});

	it('closes and reopens; a closed review takes no verdict', async () => {
		await ana.click('button[data-action=toggle-status]');
		await ben.waitForFunction(() => document.getElementById('review').getAttribute('data-status') === 'closed',
			null, { timeout: 2000 });
		await item(ben, 'M3').locator('button[data-verdict=pass]').click();
		await ben.locator('.status', { hasText: 'closed' }).waitFor({ timeout: 2000 });
		assert.equal(await item(ben, 'M3').getAttribute('data-verdict'), 'open');
		await ana.click('button[data-action=toggle-status]');
		await ben.waitForFunction(() => document.getElementById('review').getAttribute('data-status') === 'open',
			null, { timeout: 2000 });
	});

	it('local ticks are kept by item id, and become passes of a new review', async () => {
		const p = await newPage();
		const slug = 'sql-schema-review';
		await p.goto(`${daemon.base}/skills/${slug}/checklist`);
		const ids = await p.locator('.item input[type=checkbox]').evaluateAll((xs) => xs.slice(0, 3).map((x) => x.id));
		// ticks an older version kept under the checklist's digest of then:
		// an edit changed the digest, the ticks stay
		await p.evaluate(([s, a]) => localStorage.setItem(`skilld:checklist:${s}:0000old`, JSON.stringify([a])), [slug, ids[0]]);
		await p.reload();
		assert.equal(await p.locator(`[id="${ids[0]}"]`).isChecked(), true);
		assert.equal(await p.evaluate((s) => localStorage.getItem(`skilld:checklist:${s}:0000old`), slug), null);
		await p.locator(`label[for="${ids[1]}"]`).click();
		await p.reload();
		assert.deepEqual(await p.evaluate((s) => JSON.parse(localStorage.getItem(`skilld:ticks:${s}`)).sort(), slug),
			[ids[0], ids[1]].sort());
		await p.click('button[data-action=start-review]');
		await p.fill('#start-review input[name=title]', 'From my ticks');
		await Promise.all([p.waitForURL(/\/reviews\/[0-9a-f]{16}$/), p.click('button[data-action=create-review]')]);
		assert.equal(await p.locator('[data-count=pass]').innerText(), '2');
		assert.equal(await p.locator(`li[data-item="${ids[1]}"]`).getAttribute('data-verdict'), 'pass');
		await p.context().close();
	});

	it('the list, and screenshots at desktop and phone widths', async () => {
		await ana.goto(`${daemon.base}/reviews?skill=${SKILL}`);
		assert.equal(await ana.locator('.review-row').count(), 1);
		assert.match(await ana.locator('.review-row .meta').innerText(), /2 pass · 1 fail · 1 n\/a · 62 open/);
		await ana.screenshot({ path: path.join(SHOTS, 'reviews-1280.png'), fullPage: true });
		// the review's links go where they say; the skill's page lists it
		await Promise.all([ana.waitForURL(`${daemon.base}/skills/${SKILL}/checklist`),
			ana.locator('.review-row .meta a').first().click()]);
		await ana.goto(`${daemon.base}/skills/${SKILL}`);
		await ana.locator('.skill-reviews li', { hasText: 'PR 412: payment retries' }).waitFor({ timeout: 2000 });
		for (const width of [1280, 390]) {
			const p = await newPage(width);
			await p.goto(reviewUrl);
			await p.screenshot({ path: path.join(SHOTS, `review-${width}.png`), fullPage: false });
			const scroll = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
			assert.ok(scroll <= 0, `sideways scroll of ${scroll}px at ${width}`);
			await p.context().close();
		}
		assert.deepEqual(offHost, []);
		assert.deepEqual(consoleErrors, []);
	});
});
