// SPDX-License-Identifier: MIT
// Accessibility of the portal, checked in Debian's headless chromium
// (playwright-core): the axe-core checker (npm, its axe.min.js injected
// into the page) runs on every kind of page at 1366x900 and 390x844, in
// the light and the dark theme (prefers-color-scheme), and a violation of
// impact "serious" or "critical" fails with its rule, nodes and help URL.
// Then a keyboard-only walk through a checklist: the Tab stops from the top
// of the page to its last item (one per item plus a fixed few), the skip
// link to the section list, Space ticking an item, a visible focus ring.
// Run with `make e2e`, or `node --test tests/e2e/a11y.test.mjs` with
// SKILLD_BIN set (an absolute path) after `npm ci` here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { ROOT, startDaemon } from './daemon.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.resolve(ROOT, process.env.SKILLD_SCREENSHOTS || 'build/screenshots');
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TOKEN = 'a11y-token-abcdefghijklmnop';
const SKILL = 'http-api-review';

const VIEWPORTS = [{ width: 1366, height: 900 }, { width: 390, height: 844 }];
const THEMES = ['light', 'dark'];

// A skill of our own beside the bundled ones: a markdown file that is
// neither a reference nor an example has a "file" page.
function writeFixture(root) {
	const dir = path.join(root, 'a11y-notes');
	fs.mkdirSync(path.join(dir, 'notes'), { recursive: true });
	fs.writeFileSync(path.join(dir, 'SKILL.md'), [
		'---', 'name: a11y-notes',
		'description: Notes for the accessibility test. Use when checking that a plain markdown file of a skill has a page.',
		'---', '', '# A11y notes', '', 'See [the guide](notes/guide.md).', '',
	].join('\n'));
	fs.writeFileSync(path.join(dir, 'notes', 'guide.md'), [
		'# Guide', '', 'A plain markdown file.', '', '## Steps', '', '1. Read.', '2. Check.', '',
		'## Table', '', '| a | b |', '|---|---|', '| 1 | 2 |', '',
	].join('\n'));
}

let daemon, signinDaemon, browser, tmp, reviewPath;

before(async () => {
	tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skilld-a11y-'));
	writeFixture(path.join(tmp, 'skills'));
	fs.writeFileSync(path.join(tmp, 'token'), `${TOKEN}\n`);
	daemon = await startDaemon({ roots: ['skills', 'tests/e2e/fixtures', path.join(tmp, 'skills')] });
	signinDaemon = await startDaemon({ args: ['--token-file', path.join(tmp, 'token')] });
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
	});

	// A review with a pass, a fail and the rest open, for its page.
	const json = { 'content-type': 'application/json' };
	let res = await fetch(`${daemon.base}/api/v1/reviews`, { method: 'POST', headers: json,
		body: JSON.stringify({ skill: SKILL, title: 'PR 7: retries', target: 'https://example.com/pr/7' }) });
	const body = await res.text();
	assert.equal(res.status, 201, body);
	const review = JSON.parse(body);
	const items = review.sections.flatMap((s) => s.items);
	res = await fetch(`${daemon.base}/api/v1/reviews/${review.id}/verdicts`, { method: 'POST', headers: json,
		body: JSON.stringify({ verdicts: [{ item: items[0].id, verdict: 'pass' },
			{ item: items[1].id, verdict: 'fail', note: 'no Retry-After' }] }) });
	assert.equal(res.status, 200, await res.clone().text());
	reviewPath = `/reviews/${review.id}`;
	fs.mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
	if (browser)
		await browser.close();
	for (const d of [daemon, signinDaemon]) {
		if (!d)
			continue;
		const { code } = await d.stop();
		assert.equal(code, 0, d.log());
	}
	if (tmp)
		fs.rmSync(tmp, { recursive: true, force: true });
});

// Every kind of page: name, path, the status it answers, which daemon.
function pageKinds() {
	return [
		{ name: 'index', path: '/' },
		{ name: 'index-filtered', path: '/?q=review&checklist=yes' },
		{ name: 'skill', path: `/skills/${SKILL}` },
		{ name: 'reference', path: `/skills/${SKILL}/references/api-patterns.md` },
		{ name: 'checklist', path: `/skills/${SKILL}/checklist` },
		{ name: 'evals', path: `/skills/${SKILL}/evals` },
		{ name: 'examples', path: `/skills/${SKILL}/examples` },
		{ name: 'search', path: '/search?q=retry' },
		{ name: 'file', path: '/skills/a11y-notes/notes/guide.md' },
		{ name: 'checklists', path: '/checklists' },
		{ name: 'reviews', path: '/reviews' },
		{ name: 'review', path: reviewPath },
		{ name: 'not-found', path: '/skills/no-such-skill', status: 404 },
		{ name: 'signin', path: '/', status: 401, signin: true },
	];
}

// The serious and critical violations axe finds in the page, as text.
async function axeViolations(page) {
	await page.addScriptTag({ content: AXE });
	const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	return result.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n` +
			v.nodes.map((n) => `  - ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n'));
}

describe('axe-core on every page kind', { timeout: 600000 }, () => {
	for (const viewport of VIEWPORTS) {
		for (const theme of THEMES) {
			it(`${viewport.width}x${viewport.height} ${theme}: no serious or critical violation`, async () => {
				// bypassCSP: the pages' CSP refuses the inline axe script
				const context = await browser.newContext({ viewport, colorScheme: theme, bypassCSP: true });
				const page = await context.newPage();
				const found = [];
				try {
					for (const kind of pageKinds()) {
						const base = kind.signin ? signinDaemon.base : daemon.base;
						const res = await page.goto(base + kind.path, { waitUntil: 'load' });
						assert.equal(res.status(), kind.status || 200, `GET ${kind.path}`);
						for (const v of await axeViolations(page))
							found.push(`${kind.name} ${kind.path}: ${v}`);
						await page.screenshot({ path: path.join(SHOTS,
							`a11y-${kind.name}-${viewport.width}-${theme}.png`) });
					}
				} finally {
					await context.close();
				}
				if (found.length)
					assert.fail(`${found.length} axe violations:\n${found.join('\n')}`);
			});
		}
	}
});

// The element that has the focus: what it is, its name, whether a focus
// ring shows (an outline or a box-shadow of non-zero width in its computed
// style) and whether it is seen: in the window and not under something else
// (the sticky toolbar), once a smooth scroll to it has ended (2 s at most).
function focused(page) {
	return page.evaluate(async () => {
		const e = document.activeElement;
		const seen = () => {
			const r = e.getBoundingClientRect();
			if (r.width <= 1 || r.height <= 1 || r.top < -1 || r.bottom > innerHeight + 1) // 1 px: rounding
				return false;
			const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			return !!hit && (e === hit || e.contains(hit) || (hit.tagName === 'LABEL' && hit.control === e));
		};
		for (let t0 = performance.now(); !seen() && performance.now() - t0 < 2000;)
			await new Promise(requestAnimationFrame);
		const cs = getComputedStyle(e);
		const shadow = cs.boxShadow !== 'none' && /(^|\s)(?!0px)\d+(\.\d+)?px/.test(
			cs.boxShadow.replace(/rgba?\([^)]*\)/g, ''));
		return {
			tag: e.tagName.toLowerCase(),
			type: e.getAttribute('type'),
			id: e.id,
			name: (e.getAttribute('aria-label') || e.textContent || e.getAttribute('placeholder') || '')
				.replace(/\s+/g, ' ').trim(),
			ring: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || shadow,
			seen: seen(),
			at: (() => {
				const r = e.getBoundingClientRect();
				const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
				return `${Math.round(r.top)}..${Math.round(r.bottom)} of ${innerHeight}, on top: ` +
					(hit ? hit.outerHTML.slice(0, 60) : 'nothing');
			})(),
		};
	});
}

for (const viewport of VIEWPORTS) {
	describe(`keyboard only, a checklist at ${viewport.width}x${viewport.height}`, { timeout: 120000 }, () => {
		// Every stop before the first item and the one after the toolbar: the
		// page's skip link, the brand, the header search, the three sections of
		// the site, the breadcrumbs (2), the skill and the checklist's file in
		// the lede (2), the toolbar's Start review, Copy as Markdown, Reset and
		// Markdown (4), the skip link to the sections.
		const OTHERS = [
			'a Skip to content', 'a ✓skilld', 'input Search skills', 'a Skills', 'a Checklists', 'a Reviews',
			'a Skills', `a ${SKILL}`, `a ${SKILL}`, 'a references/review-checklist.md',
			'button Start review', 'button Copy as Markdown', 'button Reset', 'a Markdown',
			'a Skip to the list of sections',
		];
		let context, page, items;

		before(async () => {
			// no smooth scrolling: where the focus lands, not how it glides there
			context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
			page = await context.newPage();
			items = (await (await fetch(`${daemon.base}/api/v1/skills/${SKILL}/checklist`)).json()).item_count;
			assert.ok(items > 10, `item_count ${items}`);
		});

		after(async () => {
			if (context)
				await context.close();
		});

		it(`Tab from the top reaches the last item in one stop per item plus ${OTHERS.length}`, async () => {
			await page.goto(`${daemon.base}/skills/${SKILL}/checklist`, { waitUntil: 'load' });
			const boxes = page.locator('#checklist .item input[type=checkbox]');
			assert.equal(await boxes.count(), items);
			const last = await boxes.nth(items - 1).getAttribute('id');
			const stops = [];
			for (let i = 0; i < items + 100; i++) {
				await page.keyboard.press('Tab');
				const f = await focused(page);
				assert.ok(f.ring, `no focus ring on stop ${i + 1}: ${JSON.stringify(f)}`);
				assert.ok(f.seen, `stop ${i + 1} not on the screen: ${JSON.stringify(f)}`);
				stops.push(f);
				if (f.id === last)
					break;
			}
			assert.equal(stops.at(-1).id, last, 'the last item was never reached');
			const checkboxes = stops.filter((f) => f.tag === 'input' && f.type === 'checkbox');
			const others = stops.filter((f) => !(f.tag === 'input' && f.type === 'checkbox'));
			assert.equal(checkboxes.length, items, 'one stop per item');
			assert.deepEqual(others.map((f) => `${f.tag} ${f.name}`), OTHERS);
			assert.equal(stops.length, items + OTHERS.length);

			// back up with Shift+Tab: each item comes out from under the toolbar
			for (let i = items - 2; i >= 0; i--) {
				await page.keyboard.press('Shift+Tab');
				const f = await focused(page);
				assert.equal(f.id, checkboxes[i].id, `Shift+Tab to item ${i + 1}`);
				assert.ok(f.ring && f.seen, `item ${i + 1} going back: ${JSON.stringify(f)}`);
			}
		});

		it('the skip link leads to the list of sections', async () => {
			await page.goto(`${daemon.base}/skills/${SKILL}/checklist`, { waitUntil: 'load' });
			for (let i = 0; i < OTHERS.length; i++)
				await page.keyboard.press('Tab');
			let f = await focused(page);
			assert.equal(f.name, 'Skip to the list of sections');
			assert.ok(f.seen && f.ring, `the skip link shows when focused: ${JSON.stringify(f)}`);
			await page.keyboard.press('Enter');
			assert.match(page.url(), /#sections$/);
			f = await focused(page);
			assert.equal(f.id, 'sections', 'focus moved to the section list');
			assert.ok(f.seen, 'the section list is on the screen');
			await page.keyboard.press('Tab');
			f = await focused(page);
			const first = await page.locator('#sections a').first().textContent();
			assert.equal(f.name, first, 'the next stop is the first section');
			assert.ok(f.ring && f.seen);
		});

		it('Space ticks the focused item, with a visible focus ring', async () => {
			await page.goto(`${daemon.base}/skills/${SKILL}/checklist`, { waitUntil: 'load' });
			for (let i = 0; i <= OTHERS.length; i++)
				await page.keyboard.press('Tab');
			const f = await focused(page);
			const first = await page.locator('#checklist .item input[type=checkbox]').first();
			assert.equal(f.id, await first.getAttribute('id'), 'the first item follows the skip link');
			assert.ok(f.ring && f.seen);
			assert.equal(await first.isChecked(), false);
			await page.keyboard.press('Space');
			assert.equal(await first.isChecked(), true);
			const progress = page.locator('.toolbar [data-progress-text="all"]');
			assert.equal(await progress.textContent(), `1 / ${items}`);
			await page.keyboard.press('Space');
			assert.equal(await first.isChecked(), false);
			assert.equal(await progress.textContent(), `0 / ${items}`);
			await page.screenshot({ path: path.join(SHOTS, `a11y-checklist-focus-${viewport.width}.png`) });
		});
	});
}
