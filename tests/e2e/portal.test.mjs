// SPDX-License-Identifier: MIT
// Browser tests of the skilld portal: starts build/skilld on a free loopback
// port with the bundled skills plus tests/e2e/fixtures, drives Debian's
// headless chromium through playwright-core (no browser download), and checks
// the filter, the header search as you type, the checklist's saved state and
// Markdown copy, a rendered
// table, alerts, highlighted code and its Copy button, links that stay in
// the skill, examples side by side, that a hostile skill runs nothing, and that every page carries a CSP,
// logs no console error and loads nothing from another host. Full-page
// screenshots go to build/screenshots/<name>-<width>.png.
// Run with `make e2e` (or `node --test tests/e2e/` after `npm ci` here).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { HOST, ROOT, sleep, startDaemon } from './daemon.mjs';
import { checkResponse } from './openapi-check.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.resolve(ROOT, process.env.SKILLD_SCREENSHOTS || 'build/screenshots');

const SKILL = 'http-api-review';       // the bundled skill the checklist steps use
const HOSTILE = 'hostile-skill';       // tests/e2e/fixtures/hostile-skill
const ALL_SLUGS = ['c-memory-safety-review', HOSTILE, SKILL, 'sql-schema-review'];

let daemon, base;
let browser, context, page;

// Everything the browser did that a test may object to, for the whole run.
const offHost = [];      // URLs requested from a host other than 127.0.0.1
const consoleErrors = []; // console.error messages and uncaught exceptions
const dialogs = [];      // alert/confirm/prompt that opened
const documents = [];    // { url, status, csp } of every main-frame document

// The daemon's answer to path as JSON (plain fetch, not the browser).
async function api(p) {
	const res = await fetch(base + p);
	assert.equal(res.status, 200, `GET ${p}`);
	const body = Buffer.from(await res.arrayBuffer());
	if (p.startsWith('/api/v1/'))
		checkResponse('GET', p, res, body); // held to the OpenAPI document
	return JSON.parse(body);
}

// Opens path in the page; returns the main document's response.
async function open(p) {
	const res = await page.goto(base + p, { waitUntil: 'load' });
	assert.ok(res, `no response for ${p}`);
	assert.equal(res.status(), 200, `GET ${p}`);
	return res;
}

// The slugs of the index cards a user can see.
async function visibleCards() {
	const out = [];
	for (const card of await page.locator('#cards > .card').all()) {
		if (await card.isVisible())
			out.push((await card.locator('.card-title a').getAttribute('href')).replace('/skills/', ''));
	}
	return out;
}

// Fails on anything recorded so far that no page may ever do.
function assertClean() {
	assert.deepEqual(offHost, [], 'requests to another host');
	assert.deepEqual(consoleErrors, [], 'console errors');
	assert.deepEqual(dialogs, [], 'dialogs opened');
	for (const d of documents)
		assert.match(d.csp || '', /default-src 'self'/, `CSP header of ${d.url} (status ${d.status})`);
}

before(async () => {
	daemon = await startDaemon();
	base = daemon.base;

	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
	});
	context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	context.on('request', (req) => {
		const u = new URL(req.url());
		if (u.protocol !== 'data:' && u.hostname !== HOST)
			offHost.push(req.url());
	});
	context.on('console', (msg) => {
		if (msg.type() === 'error')
			consoleErrors.push(`${msg.location().url}: ${msg.text()}`);
	});
	context.on('dialog', (d) => {
		dialogs.push(`${d.type()}: ${d.message()}`);
		d.dismiss().catch(() => {});
	});
	context.on('response', async (res) => {
		const req = res.request();
		if (!req.isNavigationRequest() || req.frame() !== req.frame().page()?.mainFrame())
			return;
		const entry = { url: res.url(), status: res.status(), csp: null };
		documents.push(entry);
		entry.csp = (await res.allHeaders())['content-security-policy'] ?? null;
	});
	page = await context.newPage();
	page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
});

after(async () => {
	if (browser)
		await browser.close();
	if (daemon) {
		// Stop it the way an operator does: SIGTERM to its pid.
		const { code, signal } = await daemon.stop();
		assert.equal(signal, null, `skilld killed by ${signal}:\n${daemon.log()}`);
		assert.equal(code, 0, `skilld exit status after SIGTERM:\n${daemon.log()}`);
	}
});

describe('skilld portal in headless chromium', { timeout: 120000 }, () => {
	it('indexes the bundled skills and the hostile fixture', async () => {
		const list = await api('/api/v1/skills');
		assert.deepEqual(list.data.map((s) => s.slug).sort(), ALL_SLUGS);
	});

	it('index: typing in the filter leaves only the matching cards visible', async () => {
		await open('/');
		assert.deepEqual((await visibleCards()).sort(), ALL_SLUGS);
		assert.equal(await page.locator('.filter-count').textContent(), '4 skills');

		const filter = page.locator('#filter');
		await filter.click();
		await filter.pressSequentially('hostile');
		assert.deepEqual(await visibleCards(), [HOSTILE]);
		assert.equal(await page.locator('.filter-count').textContent(), '1 of 4 skills');
		assert.equal(await page.locator('.filter-empty').isVisible(), false);

		// Several words must all match: "sql" alone would also hit prose.
		await filter.fill('');
		await filter.pressSequentially('schema migrations');
		assert.deepEqual(await visibleCards(), ['sql-schema-review']);

		await filter.fill('');
		await filter.pressSequentially('no-such-words-anywhere');
		assert.deepEqual(await visibleCards(), []);
		assert.equal(await page.locator('.filter-empty').isVisible(), true);
		assert.equal(await page.locator('.filter-count').textContent(), '0 of 4 skills');

		await filter.press('Escape');
		assert.equal(await filter.inputValue(), '');
		assert.deepEqual((await visibleCards()).sort(), ALL_SLUGS);
		assertClean();
	});

	it('index → skill → checklist by clicking links', async () => {
		await open('/');
		await Promise.all([
			page.waitForURL(`${base}/skills/${SKILL}`),
			page.locator(`#cards .card-title a[href="/skills/${SKILL}"]`).click(),
		]);
		assert.equal(await page.locator('main h1').first().textContent(), SKILL);
		assert.ok(await page.locator('article.prose h1, article.prose h2').count() > 0, 'skill body rendered');

		await Promise.all([
			page.waitForURL(`${base}/skills/${SKILL}/checklist`),
			page.locator('.skill-head .actions a.btn-primary').click(),
		]);
		assert.equal(await page.locator('form#checklist').getAttribute('data-slug'), SKILL);
		assertClean();
	});

	let n, ticked;

	it('checklist: three ticks survive a reload and show "3 / N"', async () => {
		n = (await api(`/api/v1/skills/${SKILL}/checklist`)).item_count;
		assert.ok(n > 3, `item_count ${n}`);
		await open(`/skills/${SKILL}/checklist`);
		const boxes = page.locator('#checklist .item input[type=checkbox]');
		const progress = page.locator('.toolbar [data-progress-text="all"]');
		assert.equal(await boxes.count(), n);
		assert.equal(await progress.textContent(), `0 / ${n}`);

		// The first, the second and the last item (different sections).
		const picks = [boxes.nth(0), boxes.nth(1), boxes.nth(n - 1)];
		ticked = [];
		for (const box of picks) {
			await box.check();
			ticked.push(await box.getAttribute('id'));
		}
		assert.equal(new Set(ticked).size, 3, `distinct ids: ${ticked}`);
		assert.equal(await progress.textContent(), `3 / ${n}`);

		await page.reload({ waitUntil: 'load' });
		assert.equal(await progress.textContent(), `3 / ${n}`);
		const checked = await page.$$eval('#checklist .item input[type=checkbox]:checked', (els) => els.map((e) => e.id));
		assert.deepEqual(checked, ticked);
		assert.equal(await page.locator('.toolbar progress[data-progress="all"]').evaluate((p) => p.value), 3);
		assertClean();
	});

	it('checklist: "Copy as Markdown" gives three "- [x]" and N-3 "- [ ]" lines', async () => {
		await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
		await open(`/skills/${SKILL}/checklist`);
		await page.getByRole('button', { name: 'Copy as Markdown' }).click();
		const status = page.locator('#checklist .status');
		await status.filter({ hasText: /\S/ }).waitFor();

		let text, via;
		if (await page.locator('textarea.md-copy').count() > 0) {
			// The clipboard API refused (app.js's fallback): the page shows the
			// Markdown selected in textarea.md-copy for a manual Ctrl+C.
			text = await page.locator('textarea.md-copy').inputValue();
			via = 'fallback textarea';
		} else {
			assert.equal(await status.textContent(), 'Copied');
			text = await page.evaluate(() => navigator.clipboard.readText());
			via = 'navigator.clipboard';
		}
		const lines = text.split('\n');
		const done = lines.filter((l) => /^\s*- \[x\]/.test(l));
		const undone = lines.filter((l) => /^\s*- \[ \]/.test(l));
		assert.equal(done.length, 3, `${via}: - [x] lines\n${done.join('\n')}`);
		assert.equal(undone.length, n - 3, `${via}: - [ ] lines`);
		assert.ok(lines.includes(`Progress: 3 / ${n}`), `${via}: progress line`);
		// 127.0.0.1 is a secure context and the permission is granted, so the
		// real clipboard must have been used, not the fallback.
		assert.equal(via, 'navigator.clipboard');
		assertClean();
	});

	it('reference: a GFM table renders as a <table>', async () => {
		await open(`/skills/${HOSTILE}/references/table.md`);
		const table = page.locator('article.prose table');
		assert.equal(await table.count(), 1);
		assert.deepEqual(await table.locator('thead th').allTextContents(), ['Name', 'Kind', 'Size']);
		assert.equal(await table.locator('tbody tr').count(), 3);
		assert.deepEqual(await table.locator('tbody tr:nth-child(2) td').allTextContents(), ['beta', 'binary', '22']);
		assertClean();
	});

	it('hostile skill: no script, handler or javascript: link runs', async () => {
		await open(`/skills/${HOSTILE}`);
		assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined');
		const prose = page.locator('article.prose');
		assert.equal(await prose.locator('script').count(), 0);
		assert.equal(await page.locator('a[href^="javascript:" i]').count(), 0);
		assert.equal(await prose.evaluate((a) =>
			[...a.querySelectorAll('*')].filter((e) =>
				[...e.attributes].some((at) => at.name.startsWith('on'))).length), 0);
		// Its own table still renders.
		assert.equal(await prose.locator('table').count(), 1);

		const link = page.getByText('click me', { exact: true });
		assert.equal(await link.count(), 1);
		await link.click();
		await sleep(300);
		assert.equal(page.url(), `${base}/skills/${HOSTILE}`);
		assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined');
		assertClean();
	});

	it('every portal page has a CSP header and logs no console error', async () => {
		const pages = ['/', '/checklists', `/skills/${SKILL}`, `/skills/${SKILL}/checklist`,
			`/skills/${SKILL}/evals`, `/skills/${SKILL}/references/status-codes-and-headers.md`,
			`/skills/${HOSTILE}`, `/skills/${HOSTILE}/references/table.md`];
		for (const p of pages) {
			const res = await open(p);
			assert.match((await res.allHeaders())['content-security-policy'] || '', /default-src 'self'/, p);
		}
		// The error page too; Chromium itself logs its 404 status as a
		// console error, which is dropped here and nothing else.
		const before404 = consoleErrors.length;
		const missing = await page.goto(`${base}/skills/no-such-skill`);
		assert.equal(missing.status(), 404);
		assert.match((await missing.allHeaders())['content-security-policy'] || '', /default-src 'self'/);
		assert.equal(await page.locator('.error-status').textContent(), '404');
		const expected404 = `${base}/skills/no-such-skill: Failed to load resource: ` +
			'the server responded with a status of 404 (Not Found)';
		assert.deepEqual(consoleErrors.splice(before404), [expected404]);
		assert.ok(documents.length >= pages.length + 1);
		assertClean();
	});

	it('header search: results as you type, arrow-down + Enter opens one', async () => {
		const word = 'idempotent';
		const expected = await api(`/api/v1/search?q=${word}*&limit=8`);
		assert.ok(expected.data.length > 0, `no hit for ${word}* in the bundled skills`);

		await open('/');
		const box = page.getByRole('combobox', { name: 'Search skills' });
		assert.equal(await box.getAttribute('name'), 'q');
		assert.equal(await page.locator('form.site-search').getAttribute('action'), '/search');
		await box.click();
		await box.pressSequentially(word.slice(0, 7)); // "idempot": the last word is a prefix
		const options = page.locator('#site-search-list [role="option"]');
		await options.first().waitFor();
		assert.equal(await box.getAttribute('aria-expanded'), 'true');
		assert.equal(await options.count(), expected.data.length);
		assert.deepEqual(await options.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
			expected.data.map((h) => h.url));
		assert.ok(await page.locator('#site-search-list mark').count() > 0, 'matches highlighted');

		await box.press('ArrowDown');
		assert.equal(await options.first().getAttribute('aria-selected'), 'true');
		assert.equal(await box.getAttribute('aria-activedescendant'), await options.first().getAttribute('id'));
		await Promise.all([
			page.waitForURL(base + expected.data[0].url),
			box.press('Enter'),
		]);

		// On a page without the index filter "/" focuses the box (once the
		// focus is off the checkbox the #fragment gave it); Escape closes the list.
		await page.evaluate(() => document.activeElement && document.activeElement.blur());
		await page.keyboard.press('/');
		assert.equal(await page.evaluate(() => document.activeElement.id), 'site-q');
		await page.keyboard.type(word);
		await options.first().waitFor();
		await page.keyboard.press('Escape');
		assert.equal(await page.locator('#site-search-list').isVisible(), false);
		// Enter with nothing highlighted submits the form: the /search page.
		await Promise.all([page.waitForURL(`${base}/search?q=${word}`), page.keyboard.press('Enter')]);
		assert.ok(await page.locator('.hit').count() > 0);
		const all = await api(`/api/v1/search?q=${word}`);
		assert.equal(await page.locator('.search-total').textContent(), `${all.total} results for ${word}`);
		assertClean();
	});

	it('rendering: alerts, highlighted code with a working Copy, links that stay in the skill', async () => {
		await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
		await open(`/skills/${HOSTILE}/references/rendering.md`);
		const prose = page.locator('article.prose');
		// the five alerts, titled; the lookalike stays a quote
		assert.deepEqual(await prose.locator('.markdown-alert-title').allTextContents(),
			['Note', 'Tip', 'Important', 'Warning', 'Caution']);
		// each drawn with its own icon (the stylesheet's mask over the title's colour)
		const icons = await prose.locator('.markdown-alert-title').evaluateAll((ts) =>
			ts.map((t) => getComputedStyle(t, '::before').maskImage || getComputedStyle(t, '::before').webkitMaskImage));
		assert.deepEqual(icons.map((u) => /alert-(\w+)\.svg/.exec(u)?.[1]),
			['note', 'tip', 'important', 'warning', 'caution']);
		assert.equal(await prose.locator('blockquote').count(), 1);
		assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined');
		assert.equal(await page.locator('a[href^="javascript:" i]').count(), 0);
		// code: highlighted, coloured by the stylesheet, one visible Copy each
		const java = prose.locator('.code-block code.language-java');
		assert.equal(await java.locator('.hl-k').first().textContent(), 'public');
		assert.equal(await java.locator('.hl-m').first().textContent(), '@Override');
		const kw = await java.locator('.hl-k').first().evaluate((e) => getComputedStyle(e).color);
		const plain = await java.evaluate((e) => getComputedStyle(e).color);
		assert.notEqual(kw, plain, 'keywords have their own colour');
		const copy = prose.locator('.code-block').first().locator('button.copy-code');
		assert.equal(await prose.locator('button.copy-code:not([hidden])').count(), 2);
		await copy.focus();
		await page.keyboard.press('Enter');
		await page.waitForFunction(() => document.querySelector('.copy-code.copied'));
		assert.equal(await copy.textContent(), 'Copied');
		assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await java.textContent());
		// links: SKILL.md is the skill's page, a reference its page, the escape no link
		assert.equal(await prose.getByRole('link', { name: 'skill', exact: true }).getAttribute('href'),
			`/skills/${HOSTILE}#hostile-skill`);
		assert.equal(await prose.getByRole('link', { name: 'the table' }).getAttribute('href'),
			`/skills/${HOSTILE}/references/table.md#table-reference`);
		assert.equal(await prose.locator('a:has(code)').first().getAttribute('href'),
			`/skills/${HOSTILE}/references/table.md`);
		assert.equal(await prose.getByRole('link', { name: 'up' }).count(), 0);
		await Promise.all([
			page.waitForURL(`${base}/skills/${HOSTILE}/references/table.md#table-reference`),
			prose.getByRole('link', { name: 'the table' }).click(),
		]);
		assert.equal(await page.locator('article.prose table').count(), 1);
		assertClean();
	});

	it('examples: before and after side by side, each rendered', async () => {
		await open(`/skills/${HOSTILE}`);
		await Promise.all([
			page.waitForURL(`${base}/skills/${HOSTILE}/examples`),
			page.locator('.skill-head .actions a', { hasText: 'Examples' }).click(),
		]);
		const [before, after] = await page.locator('.compare > article').all();
		assert.equal(await before.locator('.badge').textContent(), 'Before');
		assert.equal(await after.locator('.badge').textContent(), 'After');
		assert.equal(await before.locator('code.language-java .hl-k').first().textContent(), 'public');
		assert.equal(await after.locator('.markdown-alert-title').textContent(), 'Tip');
		const a = await before.boundingBox(), b = await after.boundingBox();
		assert.ok(b.x > a.x + a.width - 1 && Math.abs(a.y - b.y) < 1, 'side by side at 1280 px');
		// the mention of the other file leads to its page
		await Promise.all([
			page.waitForURL(`${base}/skills/${HOSTILE}/examples/after.md`),
			before.locator('a:has(code)', { hasText: 'after.md' }).click(),
		]);
		assert.equal(await page.locator('.eyebrow').textContent(), `Example of ${HOSTILE}`);
		assertClean();
	});

	it('rendering screenshots at 1366 and 390 px, light and dark', async () => {
		fs.mkdirSync(SHOTS, { recursive: true });
		const shots = {
			rendering: `/skills/${HOSTILE}/references/rendering.md`,
			examples: `/skills/${HOSTILE}/examples`,
		};
		for (const scheme of ['light', 'dark']) {
			await page.emulateMedia({ colorScheme: scheme });
			for (const [width, height] of [[1366, 900], [390, 844]]) {
				await page.setViewportSize({ width, height });
				for (const [name, p] of Object.entries(shots)) {
					await open(p);
					assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), width,
						`${p} at ${width} px scrolls sideways`);
					if (name === 'rendering') // shows the first block's Copy button
						await page.locator('.code-block').first().hover();
					const file = path.join(SHOTS, `${name}-${width}-${scheme}.png`);
					await page.screenshot({ path: file, fullPage: true });
					assert.ok(fs.statSync(file).size > 1000, file);
				}
			}
		}
		await page.emulateMedia({ colorScheme: 'light' });
		await page.setViewportSize({ width: 1280, height: 900 });
		assertClean();
	});

	it('screenshots at 1280 and 390 px', async () => {
		fs.mkdirSync(SHOTS, { recursive: true });
		const shots = {
			index: '/',
			skill: `/skills/${SKILL}`,
			checklist: `/skills/${SKILL}/checklist`, // the three ticks are in localStorage
			reference: `/skills/${SKILL}/references/status-codes-and-headers.md`,
			search: '/search?q=idempotent',
		};
		for (const width of [1280, 390]) {
			await page.setViewportSize({ width, height: width > 800 ? 900 : 844 });
			for (const [name, p] of Object.entries(shots)) {
				await open(p);
				if (name === 'checklist')
					assert.equal(await page.locator('.toolbar [data-progress-text="all"]').textContent(), `3 / ${n}`);
				// Wide content (tables, code) scrolls inside its box, never the page.
				assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), width,
					`${p} at ${width} px scrolls sideways`);
				const file = path.join(SHOTS, `${name}-${width}.png`);
				await page.screenshot({ path: file, fullPage: true });
				assert.ok(fs.statSync(file).size > 1000, file);
			}
		}
		assertClean();
	});
});
