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
