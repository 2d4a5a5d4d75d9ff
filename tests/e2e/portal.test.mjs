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
import os from 'node:os';
import { HOST, ROOT, sleep, startDaemon } from './daemon.mjs';
import { checkResponse } from './openapi-check.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156';
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
	for (const card of await page.locator('#cards .card').all()) {
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

	// The viewport's first screen and the whole page, for a look.
	async function shoot(name) {
		fs.mkdirSync(SHOTS, { recursive: true });
		for (const [suffix, fullPage] of [['screen', false], ['full', true]]) {
			const file = path.join(SHOTS, `${name}-${suffix}.png`);
			await page.screenshot({ path: file, fullPage });
			assert.ok(fs.statSync(file).size > 1000, file);
		}
	}

	it('phone: the contents are at the top, closed, and open on a tap; wide: beside the text, open', async () => {
		const ref = `/skills/${SKILL}/references/status-codes-and-headers.md`;
		await page.setViewportSize({ width: 390, height: 844 });
		await open(ref);
		const toc = page.locator('#toc');
		assert.equal(await toc.evaluate((d) => d.open), false);
		const box = await toc.boundingBox();
		const text = await page.locator('article.prose').boundingBox();
		assert.ok(box.y + box.height < 844, `contents at ${box.y}-${box.y + box.height} px, below the first screen`);
		assert.ok(box.y < text.y, 'contents above the text');
		assert.ok(box.height < 80, `closed contents ${box.height} px tall`);
		await page.locator('#toc > summary').click();
		assert.equal(await toc.evaluate((d) => d.open), true);
		const first = toc.locator('nav a').first();
		assert.equal(await first.isVisible(), true);
		await Promise.all([page.waitForURL(/#/), first.click()]);

		await page.setViewportSize({ width: 1366, height: 900 });
		await open(ref);
		assert.equal(await toc.evaluate((d) => d.open), true);
		const wide = await toc.boundingBox(), article = await page.locator('article.prose').boundingBox();
		assert.ok(wide.x > article.x + article.width, 'contents beside the text');
		// under the reference's short side panel, and in view all the way
		// down the text, since it fits in the window
		assert.ok(wide.y > (await page.locator('.with-aside > .side').boundingBox()).y, 'contents under the panel');
		await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight * 0.6));
		const kept = await toc.evaluate((e) => e.getBoundingClientRect().top);
		assert.ok(kept >= 0 && kept < 100, `contents at ${kept} px after scrolling`);
		assertClean();
	});

	it('1366x900: the side panel shows all of itself, nothing scrolls inside it', async () => {
		await page.setViewportSize({ width: 1366, height: 900 });
		await open(`/skills/${SKILL}`);
		const side = page.locator('.with-aside > .side');
		const m = await side.evaluate((el) => ({
			overflow: getComputedStyle(el).overflowY, position: getComputedStyle(el).position,
			scroll: el.scrollHeight, client: el.clientHeight, height: el.offsetHeight,
		}));
		assert.equal(m.overflow, 'visible');
		assert.ok(m.scroll <= m.client + 1, `side panel hides ${m.scroll - m.client} px of itself`);
		// sticky only when it fits: a taller one scrolls with the page
		if (m.height > 900)
			assert.notEqual(m.position, 'sticky', `a ${m.height} px side panel is sticky`);
		// each panel can be brought into the window by scrolling the page
		for (const title of ['References', 'Files', 'Quality', 'Diagnostics']) {
			const h = side.locator('h2', { hasText: title }).first();
			await page.evaluate((y) => window.scrollTo(0, y), (await h.evaluate((e) => e.getBoundingClientRect().top + window.scrollY)) - 100);
			const r = await h.boundingBox();
			assert.ok(r.y >= 0 && r.y + r.height <= 900, `${title} at ${r.y} px`);
			assert.equal(await h.evaluate((e) => {
				const b = e.getBoundingClientRect();
				return e.contains(document.elementFromPoint(b.x + 5, b.y + b.height / 2));
			}), true, `${title} is covered`);
		}
		assertClean();
	});

	it('390x844: a long description shows four lines and a More that shows it whole', async () => {
		await page.setViewportSize({ width: 390, height: 844 });
		await open(`/skills/${SKILL}`);
		const desc = page.locator('.skill-head .desc-clamped');
		const more = page.locator('.skill-head .desc-more > summary');
		const clamped = await desc.evaluate((e) => ({ s: e.scrollHeight, c: e.clientHeight }));
		assert.ok(clamped.s > clamped.c + 10, `clamped: ${JSON.stringify(clamped)}`);
		assert.equal(await more.locator('.when-closed').isVisible(), true);
		assert.equal(await more.locator('.when-open').isVisible(), false);
		assert.equal(await more.locator('.when-closed').textContent(), 'More of the description');
		assert.equal(await more.getAttribute('aria-controls'), 'description');
		// the actions are on the first screen
		const actions = await page.locator('.skill-head .actions').boundingBox();
		assert.ok(actions.y + actions.height < 844, `actions at ${actions.y} px`);
		await more.focus();
		await page.keyboard.press('Enter');
		const whole = await desc.evaluate((e) => ({ s: e.scrollHeight, c: e.clientHeight }));
		assert.ok(whole.s <= whole.c + 1, `still clamped: ${JSON.stringify(whole)}`);
		assert.equal(await more.locator('.when-closed').isVisible(), false);
		assert.equal(await more.locator('.when-open').textContent(), 'Less');
		// the whole text is in the page either way (a screen reader reads it once)
		assert.equal(await desc.count(), 1);
		assertClean();
	});

	it('skill and reference screenshots at 1366x900 and 390x844, light and dark', async () => {
		for (const scheme of ['light', 'dark']) {
			await page.emulateMedia({ colorScheme: scheme });
			for (const [width, height] of [[1366, 900], [390, 844]]) {
				await page.setViewportSize({ width, height });
				for (const [name, p] of Object.entries({
					skill: `/skills/${SKILL}`,
					reference: `/skills/${SKILL}/references/status-codes-and-headers.md`,
				})) {
					await open(p);
					assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), width,
						`${p} at ${width} px scrolls sideways`);
					await shoot(`layout-${name}-${width}-${scheme}`);
				}
			}
		}
		await page.emulateMedia({ colorScheme: 'light' });
		await page.setViewportSize({ width: 1280, height: 900 });
		assertClean();
	});

	it('phone: the install line wraps at its spaces and after a path\'s /, and its Copy button copies it', async () => {
		const slug = 'c-memory-safety-review';
		const line = `DISABLE_TELEMETRY=1 npx skills add ${base}/@${slug}`;
		const p = await browser.newContext({ viewport: { width: 390, height: 844 } });
		await p.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
		const phone = await p.newPage();
		for (const scheme of ['light', 'dark']) {
			await phone.emulateMedia({ colorScheme: scheme });
			await phone.goto(`${base}/skills/${slug}`);
			const code = phone.locator('#install code[data-cmd="install"]');
			assert.equal(await code.textContent(), line);
			// where each line of the block starts: the character before is a
			// space or a '/', never a letter or a '-' of a word
			const layout = await code.evaluate((el) => {
				const chars = [];
				const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
				for (let n = walker.nextNode(); n; n = walker.nextNode())
					for (let i = 0; i < n.data.length; i++) {
						const r = document.createRange();
						r.setStart(n, i);
						r.setEnd(n, i + 1);
						const box = r.getBoundingClientRect();
						chars.push({ c: n.data[i], top: box.top, left: box.left, right: box.right, bottom: box.bottom });
					}
				const pre = el.parentElement;
				return { chars, scroll: pre.scrollWidth - pre.clientWidth };
			});
			const { chars } = layout;
			const breaks = [];
			for (let i = 1; i < chars.length; i++)
				if (chars[i].c !== ' ' && chars[i].top > chars[i - 1].top + 2)
					breaks.push(i);
			assert.ok(breaks.length >= 1, 'the line does not wrap at 390 px');
			for (const i of breaks) {
				const before = line[i - 1];
				assert.ok(before === ' ' || before === '/',
					`the line wraps inside a word: "${line.slice(0, i)}" | "${line.slice(i)}"`);
			}
			assert.equal(layout.scroll, 0, 'the install line scrolls sideways');
			// the Copy button: shown, on the panel, over no character
			const btn = phone.locator('#install .copy-code').first();
			assert.equal(await btn.isVisible(), true);
			const bb = await btn.boundingBox();
			for (const ch of chars)
				assert.ok(ch.c === ' ' || ch.right <= bb.x || ch.left >= bb.x + bb.width ||
					ch.bottom <= bb.y || ch.top >= bb.y + bb.height, `the Copy button covers "${ch.c}"`);
			await btn.click();
			await phone.locator('#install .copy-code.copied').first().waitFor();
			assert.equal(await phone.evaluate(() => navigator.clipboard.readText()), line);
			fs.mkdirSync(SHOTS, { recursive: true });
			await phone.locator('#install').screenshot({ path: path.join(SHOTS, `install-390-${scheme}.png`) });
		}
		await p.close();
	});

	describe('a generated collection of 3,000 skills in three collections', { timeout: 180000 }, () => {
		const N = 3000;
		const ROOTS = ['team-alpha', 'team-beta', 'team-gamma'];
		const WORDS = ['kotlin', 'python', 'http', 'sql', 'cache', 'queue', 'retry', 'lock', 'schema', 'proxy'];
		let big, bigBase, dir;

		// Skill i is gen-NNNNN-<word i % 10> in ROOTS[i % 3]; every fifth
		// bronze (a trigger in its description, a 40-line body), every third
		// with a review checklist, every fourth with evals.
		function generate() {
			dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skilld-e2e-big-'));
			const body = Array.from({ length: 40 }, (_, i) => `Line ${i} of the body.`).join('\n');
			for (let i = 0; i < N; i++) {
				const w = WORDS[i % 10];
				const name = `gen-${String(i).padStart(5, '0')}-${w}`;
				const d = path.join(dir, ROOTS[i % 3], name);
				fs.mkdirSync(d, { recursive: true });
				const desc = i % 5 === 0
					? `Reviews ${w} code, generated skill ${i}. Use when the user asks for a ${w} review.`
					: `Generated skill ${i} about ${w}.`;
				fs.writeFileSync(path.join(d, 'SKILL.md'),
					`---\nname: ${name}\ndescription: "${desc}"\n---\n# ${name}\n\n${body}\n`);
				if (i % 3 === 0) {
					fs.mkdirSync(path.join(d, 'references'));
					fs.writeFileSync(path.join(d, 'references', 'review-checklist.md'),
						`# ${name} checklist\n\n## 1. Basics\n\n- [ ] Is the ${w} code tested?\n- [ ] Are errors handled?\n`);
				}
				if (i % 4 === 0) {
					fs.mkdirSync(path.join(d, 'evals'));
					fs.writeFileSync(path.join(d, 'evals', 'evals.json'), JSON.stringify({
						evals: [{ id: 'e1', prompt: `Review this ${w} code.`, expectations: ['Finds the bug'] }],
					}));
				}
			}
		}

		before(async () => {
			generate();
			big = await startDaemon({ roots: ROOTS.map((r) => path.join(dir, r)), waitMs: 120000 });
			bigBase = big.base;
		});

		after(async () => {
			if (big) {
				const { code, signal } = await big.stop();
				assert.equal(signal, null, big.log());
				assert.equal(code, 0, big.log());
			}
			if (dir)
				fs.rmSync(dir, { recursive: true, force: true });
		});

		async function openBig(p) {
			const res = await page.goto(bigBase + p, { waitUntil: 'load' });
			assert.equal(res.status(), 200, `GET ${p}`);
			return res;
		}

		const cardSlugs = () => page.locator('#cards .card-title a').evaluateAll((as) =>
			as.filter((a) => a.offsetParent).map((a) => a.textContent));

		it('the index is one page of 48 under 200 KB; its first paint is timed', async () => {
			const res = await fetch(bigBase + '/', { headers: { Accept: 'text/html', 'User-Agent': BROWSER_UA } });
			assert.equal(res.status, 200);
			const bytes = (await res.arrayBuffer()).byteLength;
			assert.ok(bytes < 200 * 1024, `index page ${bytes} bytes`);

			await page.setViewportSize({ width: 1366, height: 900 });
			const t0 = Date.now();
			await openBig('/');
			const loaded = Date.now() - t0;
			const paint = await page.evaluate(() => new Promise((resolve) => {
				new PerformanceObserver((list) => {
					const e = list.getEntriesByName('first-contentful-paint')[0];
					if (e) resolve(e.startTime);
				}).observe({ type: 'paint', buffered: true });
				setTimeout(() => resolve(null), 3000);
			}));
			console.log(`# index of ${N} skills: ${bytes} bytes, first contentful paint ` +
				`${paint === null ? '?' : paint.toFixed(0)} ms, load ${loaded} ms (not asserted)`);
			assert.equal(await page.locator('#cards .card').count(), 48);
			assert.equal(await page.locator('form.filter').getAttribute('data-mode'), 'server');
			assert.equal(await page.locator('.range').textContent(), '1–48 of 3,000 skills · page 1 of 63');
			// team-alpha holds i = 0, 3, 6...: the first page ends at 141
			const slugs = await cardSlugs();
			assert.equal(slugs[0], 'gen-00000-kotlin');
			assert.equal(slugs[47], 'gen-00141-python');
			assert.equal(await page.locator('.collection-title').count(), 1);
			assert.match(await page.locator('.collection-title').textContent(), /^team-alpha 1,000 skills$/);
			assertClean();
		});

		it('pages by links, in a stable order', async () => {
			await openBig('/');
			await Promise.all([page.waitForURL(`${bigBase}/?page=2`), page.locator('a[rel="next"]').click()]);
			assert.equal((await cardSlugs())[0], 'gen-00144-cache');
			await Promise.all([page.waitForURL(`${bigBase}/?page=63`),
				page.locator('.pager a', { hasText: /^Page 63$/ }).click()]);
			// the last page: team-gamma's last 24 (2,999 = 3 * 999 + 2)
			const last = await cardSlugs();
			assert.equal(last.length, 3000 - 62 * 48);
			assert.equal(last[last.length - 1], 'gen-02999-proxy');
			assert.equal(await page.locator('a[rel="next"]').count(), 0);
			await Promise.all([page.waitForURL(`${bigBase}/?page=62`), page.locator('a[rel="prev"]').click()]);
			assertClean();
		});

		it('facets: a tier, then a collection, each with its count', async () => {
			await openBig('/');
			const bronze = page.locator('.facet a', { hasText: /^Bronze/ });
			assert.equal(await bronze.locator('.count').textContent(), '600');
			await Promise.all([page.waitForURL(`${bigBase}/?tier=bronze`), bronze.click()]);
			assert.equal(await page.locator('.filter-count').textContent(), '600 of 3,000 skills');
			const badges = await page.locator('#cards .card .tier').allTextContents();
			assert.equal(badges.length, 48);
			assert.deepEqual([...new Set(badges)], ['Bronze']);
			// every fifth of team-gamma's thousand
			const gamma = page.locator('.facet a', { hasText: /^team-gamma/ });
			assert.equal(await gamma.locator('.count').textContent(), '200');
			await Promise.all([page.waitForURL(`${bigBase}/?root=team-gamma&tier=bronze`), gamma.click()]);
			assert.equal(await page.locator('.filter-count').textContent(), '200 of 3,000 skills');
			assert.equal(await page.locator('.facet a[aria-current="true"]', { hasText: 'team-gamma' }).count(), 1);
			assertClean();
		});

		it('filter as you type asks the server, without leaving the page', async () => {
			await openBig('/?page=3');
			await page.evaluate(() => { window.__stayed = true; });
			const filter = page.locator('#filter');
			await filter.click();
			await filter.pressSequentially('kotlin');
			await page.waitForURL(`${bigBase}/?q=kotlin`);
			await page.locator('.filter-count', { hasText: '300 of 3,000 skills' }).waitFor();
			assert.equal(await page.evaluate(() => window.__stayed), true, 'the page was left');
			const slugs = await cardSlugs();
			assert.equal(slugs.length, 48);
			assert.ok(slugs.every((s) => s.endsWith('-kotlin')), slugs.join(' '));
			await filter.pressSequentially(' 00010');
			await page.waitForURL(`${bigBase}/?q=kotlin+00010`);
			await page.locator('.filter-count', { hasText: '1 of 3,000 skills' }).waitFor();
			assert.deepEqual(await cardSlugs(), ['gen-00010-kotlin']);
			await filter.press('Escape');
			await page.waitForURL(`${bigBase}/`);
			await page.locator('.filter-count', { hasText: /^3,000 skills$/ }).waitFor();
			assert.equal(await page.evaluate(() => window.__stayed), true);
			assertClean();
		});

		it('without JavaScript the filter, facets and pages still work', async () => {
			const bare = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
			const p = await bare.newPage();
			await p.goto(bigBase + '/');
			// on a phone the filters are closed: the first card is on the first screen
			assert.equal(await p.locator('#facets').evaluate((d) => d.open), false);
			const card = await p.locator('#cards .card').first().boundingBox();
			assert.ok(card.y + 100 < 844, `first card at ${card.y} px`);
			await p.locator('#facets > summary').click();
			await Promise.all([p.waitForURL(`${bigBase}/?evals=yes`),
				p.locator('.facet a', { hasText: /^With evals/ }).click()]);
			assert.equal(await p.locator('#facets .facets-on').textContent(), 'With evals');
			await p.locator('#filter').fill('queue');
			await Promise.all([p.waitForURL(`${bigBase}/?q=queue&evals=yes`), p.locator('#filter').press('Enter')]);
			// i % 10 == 5 and i % 4 == 0: i = 20k + 5... never; 15, 35...: odd, so none
			assert.equal(await p.locator('.empty', { hasText: 'No skill matches these filters.' }).count(), 1);
			await p.goto(bigBase + '/?q=queue');
			assert.equal(await p.locator('.filter-count').textContent(), '300 of 3,000 skills');
			await Promise.all([p.waitForURL(`${bigBase}/?q=queue&page=2`), p.locator('a[rel="next"]').click()]);
			assert.equal(await p.locator('.range').textContent(), '49–96 of 300 skills · page 2 of 7');
			await bare.close();
		});

		it('index screenshots at 1366x900 and 390x844, light and dark', async () => {
			for (const scheme of ['light', 'dark']) {
				await page.emulateMedia({ colorScheme: scheme });
				for (const [width, height] of [[1366, 900], [390, 844]]) {
					await page.setViewportSize({ width, height });
					await openBig('/?page=21');
					assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), width,
						`the index at ${width} px scrolls sideways`);
					await shoot(`big-index-${width}-${scheme}`);
				}
			}
			await page.emulateMedia({ colorScheme: 'light' });
			await page.setViewportSize({ width: 1280, height: 900 });
			assertClean();
		});
	});
});
