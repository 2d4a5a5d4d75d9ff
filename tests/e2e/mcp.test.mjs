// SPDX-License-Identifier: MIT
// The MCP endpoint with the official TypeScript SDK client: starts
// build/skilld on a free loopback port with the bundled skills plus
// tests/e2e/fixtures, connects a Client over StreamableHTTPClientTransport,
// and checks the handshake, every tool and the resources against the files
// on disk, a tool error and JSON-RPC errors. The daemon must exit 0.
// Run with `node --test --test-concurrency=1 tests/e2e/mcp.test.mjs` after
// `make` and `npm ci` in tests/e2e (or `make e2e`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { BIN, ROOT, filesOf, startDaemon } from './daemon.mjs';

// The skill folders the daemon serves, by slug (folder name = frontmatter name).
const FOLDERS = {};
for (const root of ['skills', 'tests/e2e/fixtures']) {
	for (const d of fs.readdirSync(path.join(ROOT, root), { withFileTypes: true }))
		if (d.isDirectory() && fs.existsSync(path.join(ROOT, root, d.name, 'SKILL.md')))
			FOLDERS[d.name] = path.join(ROOT, root, d.name);
}
const SLUGS = Object.keys(FOLDERS).sort();
const BUNDLED = fs.readdirSync(path.join(ROOT, 'skills')).sort();


// name and description of a SKILL.md whose description is a `>-` block
// or a plain one-line scalar (what the bundled skills use).
function frontmatter(text) {
	const lines = text.split('\n');
	const out = {};
	for (let i = 1; i < lines.length && lines[i] !== '---'; i++) {
		const m = /^(name|description): ?(.*)$/.exec(lines[i]);
		if (!m)
			continue;
		if (m[2] === '>-') {
			const parts = [];
			while (i + 1 < lines.length && lines[i + 1].startsWith('  '))
				parts.push(lines[++i].trim());
			out[m[1]] = parts.join(' ');
		} else {
			out[m[1]] = m[2];
		}
	}
	return out;
}

const text = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('');

let daemon, client;

describe('MCP with the TypeScript SDK', () => {
	before(async () => {
		daemon = await startDaemon();
		client = new Client({ name: 'skilld-e2e', version: '1.0.0' });
		await client.connect(new StreamableHTTPClientTransport(new URL(`${daemon.base}/mcp`)));
	});

	after(async () => {
		if (client)
			await client.close();
		if (daemon) {
			const e = await daemon.stop();
			assert.deepEqual(e, { code: 0, signal: null }, `skilld exit:\n${daemon.log()}`);
		}
	});

	it('negotiates the handshake', () => {
		const version = execFileSync(BIN, ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
		const info = client.getServerVersion();
		assert.equal(info.name, 'skilld');
		assert.equal(info.version, version);
		const caps = client.getServerCapabilities();
		assert.deepEqual(caps.tools, { listChanged: false });
		assert.deepEqual(caps.resources, { subscribe: false, listChanged: false });
		assert.match(client.getInstructions(), /search_skills/);
	});

	it('lists ten tools with schemas', async () => {
		const { tools } = await client.listTools();
		assert.deepEqual(tools.map((t) => t.name),
			['list_skills', 'get_skill', 'read_skill_file', 'search_skills', 'resolve_skill',
				'get_checklist', 'start_review', 'record_verdicts', 'get_review', 'list_reviews']);
		for (const t of tools) {
			assert.equal(t.inputSchema.type, 'object');
			assert.ok(t.title && t.description.length > 40, t.name);
		}
	});

	it('list_skills: every skill with name, description and SKILL.md uri', async () => {
		const r = await client.callTool({ name: 'list_skills', arguments: {} });
		assert.ok(!r.isError);
		const skills = r.structuredContent.skills;
		assert.deepEqual(skills.map((s) => s.slug), SLUGS);
		assert.equal(r.structuredContent.nextCursor, null);
		for (const s of skills) {
			const fm = frontmatter(fs.readFileSync(path.join(FOLDERS[s.slug], 'SKILL.md'), 'utf8'));
			assert.equal(s.name, fm.name);
			assert.equal(s.description, fm.description);
			assert.equal(s.uri, `skill://${s.slug}/SKILL.md`);
		}
		assert.deepEqual(JSON.parse(text(r)), r.structuredContent);
	});

	it('get_skill: SKILL.md text and the file list match the disk', async () => {
		for (const slug of SLUGS) {
			const dir = FOLDERS[slug];
			const r = await client.callTool({ name: 'get_skill', arguments: { slug } });
			assert.ok(!r.isError, slug);
			assert.equal(text(r), fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8'));
			const sc = r.structuredContent;
			assert.equal(sc.slug, slug);
			assert.deepEqual(sc.files.map((f) => f.path).sort(), filesOf(dir));
			for (const f of sc.files)
				assert.equal(f.size, fs.statSync(path.join(dir, f.path)).size, f.path);
		}
	});

	it('read_skill_file: every file of the bundled skills, byte for byte', async () => {
		for (const slug of BUNDLED) {
			for (const rel of filesOf(FOLDERS[slug])) {
				const r = await client.callTool({ name: 'read_skill_file', arguments: { slug, path: rel } });
				assert.ok(!r.isError, `${slug}/${rel}`);
				assert.equal(text(r), fs.readFileSync(path.join(FOLDERS[slug], rel), 'utf8'), `${slug}/${rel}`);
			}
		}
	});

	it('search_skills: ranked hits with resource URIs', async () => {
		const r = await client.callTool({ name: 'search_skills', arguments: { query: 'idempotency', limit: 5 } });
		assert.ok(!r.isError);
		const { results } = r.structuredContent;
		assert.ok(results.length >= 1 && results.length <= 5);
		assert.equal(results[0].skill, 'http-api-review');
		for (const h of results)
			assert.ok(h.uri.startsWith(`skill://${h.skill}/`), h.uri);
		const k = await client.callTool({ name: 'search_skills',
			arguments: { query: 'index', kind: 'checklist', limit: 50 } });
		assert.ok(k.structuredContent.results.length > 0);
		assert.ok(k.structuredContent.results.every((h) => h.kind === 'checklist'));
		const bad = await client.callTool({ name: 'search_skills', arguments: { query: '!!!' } });
		assert.equal(bad.isError, true);
	});

	it('resolve_skill: the skill for a task in plain words', async () => {
		const r = await client.callTool({ name: 'resolve_skill',
			arguments: { task: 'check my C parser for buffer overflows and use after free' } });
		assert.ok(!r.isError, text(r));
		assert.equal(r.structuredContent.skills[0].slug, 'c-memory-safety-review', text(r));
		assert.equal(r.structuredContent.skills[0].uri, 'skill://c-memory-safety-review/SKILL.md');
	});

	it('get_checklist: every item line of the file on disk, near its size; structured on request', async () => {
		for (const slug of BUNDLED) {
			const md = fs.readFileSync(path.join(FOLDERS[slug], 'references/review-checklist.md'), 'utf8');
			const want = md.split('\n').filter((l) => /^\s*- \[[ xX]\]/.test(l)).length;
			const r = await client.callTool({ name: 'get_checklist', arguments: { slug } });
			assert.ok(!r.isError, slug);
			assert.equal(r.structuredContent, undefined, slug);
			const got = text(r).split('\n');
			assert.equal(got.filter((l) => l.startsWith('- [ ] ')).length, want, slug);
			assert.ok(text(r).length < 1.3 * md.length, `${slug}: ${text(r).length} chars for ${md.length}`);
			const s = await client.callTool({ name: 'get_checklist', arguments: { slug, structured: true } });
			assert.equal(s.structuredContent.item_count, want, slug);
			assert.equal(s.structuredContent.path, 'references/review-checklist.md');
			// an item with its own code (M13): its line as written, code included
			let coded = 0;
			for (const sec of s.structuredContent.sections)
				for (const it of [...sec.items, ...sec.groups.flatMap((g) => g.items)])
					if (it.ref) {
						assert.ok(got.includes(it.markdown.split('\n')[0]), `${slug}: ${it.markdown}`);
						coded++;
					}
			if (slug === 'c-memory-safety-review')
				assert.ok(coded > 50, `${coded} coded items`);
		}
	});

	it('an agent starts a review and records verdicts with evidence; the API shows them', async () => {
		const started = await client.callTool({ name: 'start_review', arguments: {
			skill: 'c-memory-safety-review', title: 'PR 412: payment retries',
			target: 'https://example.com/pr/412', author: 'e2e-agent' } });
		assert.ok(!started.isError, text(started));
		const id = started.structuredContent.id;
		assert.match(id, /^[0-9a-f]{16}$/);
		assert.equal(started.structuredContent.page, `${daemon.base}/reviews/${id}`);
		const rec = await client.callTool({ name: 'record_verdicts', arguments: {
			review: id, author: 'e2e-agent', verdicts: [
				{ item: 'M13', verdict: 'fail', severity: 'critical', note: 'length prefix trusted',
					evidence: 'src/pay.c:120' },
				{ item: 'M1', verdict: 'pass', evidence: 'include/pay.h:8' },
				{ item: 'M55', verdict: 'na' }] } });
		assert.ok(!rec.isError, text(rec));
		assert.deepEqual(rec.structuredContent.counts, { pass: 1, fail: 1, na: 1, open: 63 });
		assert.match(text(rec), /- M13 \[Critical\] Untrusted lengths validated: .* \| evidence: src\/pay\.c:120/);
		// what a person (the page) reads: the same review
		const res = await fetch(`${daemon.base}/api/v1/reviews/${id}`, { headers: { accept: 'application/json' } });
		assert.equal(res.status, 200);
		const review = await res.json();
		const items = review.sections.flatMap((s) => s.items);
		const m13 = items.find((it) => it.ref === 'M13');
		assert.equal(m13.verdict, 'fail');
		assert.equal(m13.severity, 'Critical');
		assert.equal(m13.evidence, 'src/pay.c:120');
		assert.equal(m13.author, 'e2e-agent');
		// a write the checklist cannot take is the model's to fix, and writes nothing
		const bad = await client.callTool({ name: 'record_verdicts', arguments: {
			review: id, verdicts: [{ item: 'M2', verdict: 'pass' }, { item: 'M999', verdict: 'pass' }] } });
		assert.equal(bad.isError, true);
		assert.match(text(bad), /verdicts\[1\]\.item/);
		const again = await client.callTool({ name: 'get_review', arguments: { review: id } });
		assert.match(text(again), /Counts: 1 pass, 1 fail, 1 n\/a, 63 open/);
		const listed = await client.callTool({ name: 'list_reviews', arguments: { skill: 'c-memory-safety-review' } });
		assert.ok(listed.structuredContent.reviews.some((r) => r.id === id));
	});

	it('resources: every file of every skill, all pages, readable', async () => {
		const uris = [];
		let cursor;
		do {
			const page = await client.listResources(cursor ? { cursor } : {});
			for (const r of page.resources) {
				assert.ok(r.name && r.mimeType && typeof r.size === 'number', r.uri);
				uris.push(r.uri);
			}
			cursor = page.nextCursor;
		} while (cursor);
		const want = [];
		for (const slug of SLUGS)
			for (const rel of filesOf(FOLDERS[slug]))
				want.push(`skill://${slug}/${rel}`);
		assert.deepEqual([...uris].sort(), want.sort());

		for (const uri of [`skill://${BUNDLED[0]}/SKILL.md`, 'skill://http-api-review/references/review-checklist.md',
			'skill://hostile-skill/references/table.md']) {
			const { contents } = await client.readResource({ uri });
			assert.equal(contents.length, 1);
			const [, slug, rel] = /^skill:\/\/([^/]+)\/(.+)$/.exec(uri);
			assert.equal(contents[0].text, fs.readFileSync(path.join(FOLDERS[slug], rel), 'utf8'));
			assert.match(contents[0].mimeType, /^text\/markdown/);
		}
		// No fixture holds a binary file; the blob path is covered by tests/check_mcp.c.
		const { resourceTemplates } = await client.listResourceTemplates();
		assert.equal(resourceTemplates[0].uriTemplate, 'skill://{slug}/{path}');
	});

	it('errors: a tool error for an unknown slug, JSON-RPC errors for bad input', async () => {
		const r = await client.callTool({ name: 'get_skill', arguments: { slug: 'no-such-skill' } });
		assert.equal(r.isError, true);
		assert.match(text(r), /no-such-skill/);

		await assert.rejects(client.callTool({ name: 'search_skills', arguments: { query: 'x', limit: 0 } }),
			(e) => e instanceof McpError && e.code === -32602);
		await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }),
			(e) => e instanceof McpError && e.code === -32602);
		await assert.rejects(client.readResource({ uri: 'skill://no-such-skill/SKILL.md' }),
			(e) => e instanceof McpError && e.code === -32002 && e.data?.uri === 'skill://no-such-skill/SKILL.md');
		await client.ping();
	});

	it('transport rules over plain HTTP', async () => {
		const url = `${daemon.base}/mcp`;
		let res = await fetch(url);
		assert.equal(res.status, 405);
		assert.equal(res.headers.get('allow'), 'POST');
		const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
		const json = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
		res = await fetch(url, { method: 'POST', headers: json, body: ping });
		assert.equal(res.status, 400);          // no Mcp-Session-Id
		res = await fetch(url, { method: 'POST', headers: { ...json, 'mcp-session-id': 'forged' }, body: ping });
		assert.equal(res.status, 404);
		res = await fetch(url, { method: 'POST', headers: { ...json, origin: 'http://evil.example' }, body: ping });
		assert.equal(res.status, 403);
		res = await fetch(url, { method: 'POST', headers: { ...json, 'content-type': 'text/plain' }, body: ping });
		assert.equal(res.status, 415);
		res = await fetch(url, { method: 'POST', headers: { ...json, accept: 'text/html' }, body: ping });
		assert.equal(res.status, 406);
		res = await fetch(url, { method: 'POST', headers: json, body: '{"jsonrpc":' });
		assert.equal(res.status, 400);
		assert.equal((await res.json()).error.code, -32700);
	});
});
