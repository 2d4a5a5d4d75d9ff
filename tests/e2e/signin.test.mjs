// SPDX-License-Identifier: MIT
// Sign-in in a real browser: a daemon with --token-file, Debian's headless
// chromium through playwright-core. The first page is the sign-in form;
// a wrong token is refused; the right one leads back to the page asked
// for, with a session cookie that scripts cannot read (HttpOnly); the API
// still refuses a request without the token or the cookie; sign-out ends
// it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startDaemon } from './daemon.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TOKEN = 'e2e-token-abcdefghijklmnop';
let daemon, browser, tokenDir;

before(async () => {
	tokenDir = fs.mkdtempSync('/tmp/skilld-token-');
	fs.writeFileSync(path.join(tokenDir, 'token'), `${TOKEN}\n`);
	daemon = await startDaemon({ args: ['--token-file', path.join(tokenDir, 'token')] });
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
	});
});

after(async () => {
	if (browser)
		await browser.close();
	if (daemon) {
		const { code } = await daemon.stop();
		assert.equal(code, 0, daemon.log());
	}
	fs.rmSync(tokenDir, { recursive: true, force: true });
});

describe('signing in with the token', { timeout: 60000 }, () => {
	it('asks for the token once, then serves every page', async () => {
		const context = await browser.newContext();
		const page = await context.newPage();
		let res = await page.goto(`${daemon.base}/skills/http-api-review/checklist`);
		assert.equal(res.status(), 401);
		assert.equal(await page.locator('h1').first().textContent(), 'Sign in');

		await page.fill('#token', 'not-the-token');
		const [post] = await Promise.all([
			page.waitForResponse((r) => r.url().endsWith('/signin') && r.request().method() === 'POST'),
			page.click('form[action="/signin"] button'),
		]);
		assert.equal(post.status(), 401);
		await page.waitForLoadState('load');
		assert.match(await page.locator('.error-message').textContent(), /not this server/);

		await page.fill('#token', TOKEN);
		await Promise.all([page.waitForURL('**/skills/http-api-review/checklist'), page.click('form[action="/signin"] button')]);
		assert.ok(await page.locator('#checklist').count() === 1, 'the checklist page after signing in');
		assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is HttpOnly');
		const cookies = await context.cookies();
		assert.equal(cookies.length, 1);
		assert.equal(cookies[0].httpOnly, true);
		assert.equal(cookies[0].sameSite, 'Strict');
		assert.ok(!cookies[0].value.includes(TOKEN));

		res = await page.goto(`${daemon.base}/`);
		assert.equal(res.status(), 200);
		// Programs without token or cookie are still refused.
		assert.equal((await fetch(`${daemon.base}/api/v1/skills`)).status, 401);
		assert.equal((await fetch(`${daemon.base}/api/v1/skills`,
			{ headers: { Authorization: `Bearer ${TOKEN}` } })).status, 200);

		await page.evaluate(() => fetch('/signout', { method: 'POST' }));
		res = await page.goto(`${daemon.base}/`);
		assert.equal(res.status(), 401);
		await context.close();
	});
});
