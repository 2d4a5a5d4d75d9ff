// SPDX-License-Identifier: MIT
// The OpenAPI contract, end to end: /api/v1/openapi.json is a valid OpenAPI
// 3.1 document (@seriousme/openapi-schema-validator) equal to
// docs/openapi.json, and every /api/v1 endpoint, called with a range of good
// and bad requests against the bundled skills, tests/e2e/fixtures and a
// folder of odd skills written here, then on tests/fixtures/messy and every
// fuzz seed made a skill, answers only documented statuses with
// bodies that validate against the documented schemas (openapi-check.mjs,
// Ajv 2020-12). A second daemon with --token-file checks the 401.
// Run with `make e2e`, or `node --test --test-concurrency=1
// tests/e2e/openapi.test.mjs` after `make` and `npm ci` in tests/e2e.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { spawn } from 'node:child_process';
import { BIN, HOST, ROOT, freePort, sleep, startDaemon } from './daemon.mjs';
import { checkResponse, findTemplate, seen, spec, SPEC_PATH } from './openapi-check.mjs';

// Skills that make the answers take their rarer forms: a binary file, a file
// over --max-file-size, null name and description, invalid YAML, a checklist
// with groups, red flags, workflow and severity, evals in the assertions
// shape, and a SKILL.md shadowed by a bundled skill's slug.
const ODD = {
	'odd-skill/SKILL.md': '---\nname: odd-skill\ndescription: An odd skill for the OpenAPI test. Use when testing skilld.\n---\n# Odd\n\n## Part one\n\nText.\n\n## Part two\n\nMore text about widgets.\n',
	'odd-skill/assets/logo.png': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 255))]),
	'odd-skill/references/review-checklist.md': [
		'# Odd Book — Code Review Checklist', '', 'An intro with **bold**.', '', '---', '',
		'## 1. First things (Chapters 1–2)', '', 'Section intro.', '',
		'- [ ] **Ch 1 — Purpose defined** — Does every module say why?',
		'- [ ] **Item 2 — Limit mutability** — Are fields final?', '',
		'### Naming', '', '- [ ] **N1 — Descriptive names** — Are widget names descriptive?',
		'- [x] **Encapsulate what varies** — Is variation hidden?', '',
		'**Red flags**: `foo()` everywhere.', '',
		'## Chapter 2 — Second', '', '- [ ] Plain question text about widgets?', '',
		'## Quick Review Workflow', '', '1. **Read** — Read it all.', '2. Then test it.', '',
		'## Severity Levels', '', '- **Critical**: breaks things (e.g., data loss)', '- **Minor**: style', '',
	].join('\n'),
	'odd-skill/references/extra/review-checklist.md': '# Another — Review Checklist\n\n## One\n\n- [ ] Is it there?\n',
	'odd-skill/evals/evals.json': JSON.stringify({
		skill_name: 'odd-skill',
		evals: [
			{ id: 1, prompt: 'Review this widget\nline two', expected_output: 'a review', files: ['w.c'], assertions: ['names the bug', { text: 'suggests a fix' }] },
			{ id: 'two', prompt: 'Another widget', assertions: [] },
		],
	}),
	'huge-skill/SKILL.md': '---\nname: huge-skill\ndescription: A skill with a file over the size limit. Use when testing not_stored.\n---\nBody.\n',
	'huge-skill/assets/big.bin': Buffer.alloc(100 * 1024, 7),
	'Bad Name/SKILL.md': '---\nname: [a, b]\ndescription:\n  nested: map\n---\nNo name.\n',
	'broken-yaml/SKILL.md': '---\nname: broken-yaml\ndescription: [unclosed\n---\nBody.\n',
	'no-frontmatter/SKILL.md': '# Just a heading\n\nNo frontmatter at all.\n',
	'http-api-review/SKILL.md': '---\nname: http-api-review\ndescription: Shadowed by the bundled skill of the same name.\n---\nBody.\n',
};

let daemon, oddRoot;
let base; // the daemon call() talks to (each describe sets it)

// Sends a request and checks its answer against the document; returns
// { res, bytes, json }.
async function call(p, { method = 'GET', headers = {}, status, body } = {}) {
	let res;
	try {
		res = await fetch(base + p, { method, headers, redirect: 'manual',
			body: body === undefined ? undefined : JSON.stringify(body) });
	} catch (e) {
		// undici says only "fetch failed"; the reason is in its cause.
		throw new Error(`${method} ${p}: ${e.message}: ${e.cause?.code ?? ''} ${e.cause?.message ?? ''}`);
	}
	const bytes = Buffer.from(await res.arrayBuffer());
	if (status !== undefined)
		assert.equal(res.status, status, `${method} ${p}: ${bytes.toString('utf8').slice(0, 300)}`);
	const json = checkResponse(method, p, res, bytes);
	return { res, bytes, json };
}

describe('OpenAPI document and contract', () => {
	before(async () => {
		oddRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'skilld-openapi-'));
		for (const [rel, data] of Object.entries(ODD)) {
			fs.mkdirSync(path.dirname(path.join(oddRoot, rel)), { recursive: true });
			fs.writeFileSync(path.join(oddRoot, rel), data);
		}
		daemon = await startDaemon({
			roots: ['skills', 'tests/e2e/fixtures', oddRoot],
			args: ['--max-file-size', '64K'],
		});
		base = daemon.base;
	});

	after(async () => {
		if (daemon) {
			const e = await daemon.stop();
			assert.deepEqual(e, { code: 0, signal: null }, daemon.log());
		}
		fs.rmSync(oddRoot, { recursive: true, force: true });
	});

	it('serves docs/openapi.json, a valid OpenAPI 3.1 document', async () => {
		const { res, bytes, json } = await call('/api/v1/openapi.json', { status: 200 });
		assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
		assert.match(res.headers.get('etag'), /^"[0-9a-f]{32}(-gz)?"$/);
		assert.ok(bytes.equals(fs.readFileSync(SPEC_PATH)), 'served bytes differ from docs/openapi.json');
		assert.equal(json.openapi, '3.1.0');
		const validator = new Validator();
		const result = await validator.validate(json);
		assert.ok(result.valid, JSON.stringify(result.errors, null, 1));
		assert.equal(validator.version, '3.1');
		await call('/api/v1/openapi.json', { headers: { 'If-None-Match': res.headers.get('etag') }, status: 304 });
	});

	it('the checker fails a body that drifts from the schema', async () => {
		const res = await fetch(base + '/api/v1/skills?limit=1');
		const body = await res.json();
		const drift = (mutate) => {
			const copy = structuredClone(body);
			mutate(copy);
			return () => checkResponse('GET', '/api/v1/skills?limit=1', res, JSON.stringify(copy));
		};
		assert.doesNotThrow(drift(() => {}));
		assert.throws(drift((b) => { b.data[0].extra = 1; }), /does not match/);
		assert.throws(drift((b) => { delete b.data[0].counts; }), /does not match/);
		assert.throws(drift((b) => { b.data[0].tier = 'diamond'; }), /does not match/);
		assert.throws(drift((b) => { b.data[0].counts.files = '9'; }), /does not match/);
		assert.throws(drift((b) => { b.next_cursor = 5; }), /does not match/);
		assert.throws(() => checkResponse('GET', '/api/v1/skills', { status: 418, headers: res.headers }, ''),
			/status not documented/);
		assert.equal(findTemplate('/api/v1/skills/a/archive.zip'), '/api/v1/skills/{slug}/archive.zip');
		assert.equal(findTemplate('/api/v1/skills/a/files/x/archive.zip'), '/api/v1/skills/{slug}/files/{path}');
	});

	it('health, lists, checklists and diagnostics', async () => {
		const h = await call('/healthz', { status: 200 });
		assert.equal(h.json.skills, 9);
		let list = await call('/api/v1/skills', { status: 200 });
		const slugs = list.json.data.map((s) => s.slug);
		assert.deepEqual(slugs, ['bad-name', 'broken-yaml', 'c-memory-safety-review', 'hostile-skill',
			'http-api-review', 'huge-skill', 'no-frontmatter', 'odd-skill', 'sql-schema-review']);
		assert.equal(list.json.next_cursor, null);
		// Paging with cursors gives the same slugs.
		const paged = [];
		for (let p = '/api/v1/skills?limit=2'; ;) {
			const page = await call(p, { status: 200 });
			paged.push(...page.json.data.map((s) => s.slug));
			if (!page.json.next_cursor)
				break;
			p = `/api/v1/skills?limit=2&cursor=${encodeURIComponent(page.json.next_cursor)}`;
		}
		assert.deepEqual(paged, slugs);
		const bad = list.json.data.find((s) => s.slug === 'bad-name');
		assert.equal(bad.name, null);
		assert.equal(bad.tier, null);
		await call('/api/v1/skills?limit=100', { status: 200 });

		const cl = await call('/api/v1/checklists', { status: 200 });
		assert.ok(cl.json.data.some((c) => !c.primary && c.url.includes('/files/')), 'a non-primary checklist');
		const d = await call('/api/v1/diagnostics', { status: 200 });
		assert.ok(d.json.data.some((x) => x.skill === null), 'a diagnostic about a SKILL.md not served');
		assert.ok(d.json.counts.error > 0);
		for (const s of ['error', 'warning', 'info']) {
			const f = await call(`/api/v1/diagnostics?severity=${s}`, { status: 200 });
			assert.ok(f.json.data.every((x) => x.severity === s));
		}
	});

	it('every skill: detail, files, each file, checklist, evals, check, archives', async () => {
		const { json: list } = await call('/api/v1/skills', { status: 200 });
		let binary = 0, notStored = 0;
		for (const { slug } of list.data) {
			const detail = await call(`/api/v1/skills/${slug}`, { status: 200 });
			const files = await call(`/api/v1/skills/${slug}/files`, { status: 200 });
			assert.deepEqual(detail.json.files, files.json);
			for (const f of files.json) {
				const p = `/api/v1/skills/${slug}/files/${f.path.split('/').map(encodeURIComponent).join('/')}`;
				const r = await call(p, { status: f.stored ? 200 : 404 });
				if (f.stored) {
					assert.equal(r.res.headers.get('content-type'), f.mime);
					assert.equal(r.bytes.length, f.size);
					binary += f.text ? 0 : 1;
					if (f.path.endsWith('.md'))
						await call(`${p}?max_tokens=50`, { status: 200 });
				} else {
					assert.equal(JSON.parse(r.bytes).error.code, 'not_stored');
					notStored++;
				}
			}
			const hasChecklist = detail.json.checklist !== null;
			await call(`/api/v1/skills/${slug}/checklist`, { status: hasChecklist ? 200 : 404 });
			await call(`/api/v1/skills/${slug}/evals`, { status: detail.json.counts.evals > 0 ? 200 : 404 });
			const check = await call(`/api/v1/skills/${slug}/check`, { status: 200 });
			assert.deepEqual(check.json, detail.json.quality);
			const storedAll = files.json.every((f) => f.stored);
			const tgz = await call(`/api/v1/skills/${slug}/archive.tar.gz`, { status: storedAll ? 200 : 404 });
			const zip = await call(`/api/v1/skills/${slug}/archive.zip`, { status: storedAll ? 200 : 404 });
			if (storedAll) {
				assert.deepEqual([...tgz.bytes.subarray(0, 2)], [0x1f, 0x8b]);
				assert.equal(zip.bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
			}
		}
		assert.ok(binary >= 1, 'a binary file was served');
		assert.ok(notStored >= 1, 'a file over --max-file-size was refused');
		// The odd checklist fills the optional parts.
		const { json: odd } = await call('/api/v1/skills/odd-skill/checklist', { status: 200 });
		assert.ok(odd.sections[0].groups.length >= 1);
		assert.ok(odd.workflow.length >= 1 && odd.severity.length >= 1);
		assert.deepEqual(odd.other_checklists, ['references/extra/review-checklist.md']);
		const { json: ev } = await call('/api/v1/skills/odd-skill/evals', { status: 200 });
		assert.equal(ev.shape, 'assertions');
		assert.equal(ev.evals[0].id, '1');
	});

	it('search with kinds, skills and cursors; resolve', async () => {
		for (const kind of ['skill', 'reference', 'checklist', 'eval']) {
			const r = await call(`/api/v1/search?q=review&kind=${kind}&limit=3`, { status: 200 });
			assert.ok(r.json.data.every((x) => x.kind === kind));
		}
		let p = '/api/v1/search?q=etag&limit=2', pages = 0;
		while (p && pages < 4) {
			const r = await call(p, { status: 200 });
			pages++;
			p = r.json.next_cursor && `/api/v1/search?q=etag&limit=2&cursor=${encodeURIComponent(r.json.next_cursor)}`;
		}
		assert.ok(pages >= 2, 'etag search has a second page');
		await call('/api/v1/search?q=widgets&skill=odd-skill', { status: 200 });
		await call('/api/v1/search?q=%22review%20checklist%22%20-sql%20mem*', { status: 200 });
		await call('/api/v1/search?q=zzzqqqxxx', { status: 200 });
		const r = await call('/api/v1/resolve?task=review%20my%20sql%20schema%20migration&k=3', { status: 200 });
		assert.equal(r.json.data[0].slug, 'sql-schema-review');
		await call('/api/v1/resolve?task=widgets', { status: 200 });
		// the installer's search: the same ranking, in the skills CLI's shape
		const found = await call('/api/search?q=review%20my%20sql%20schema%20migration&limit=2', { status: 200 });
		assert.equal(found.json.skills[0].id, 'sql-schema-review');
		assert.ok(found.json.skills.length <= 2);
		assert.equal(found.json.skills[0].source, `${base}/`);
	});

	it('errors: 400, 404, 405 and 304 as documented', async () => {
		const cases = [
			['/api/v1/skills/nope', 404, 'skill_not_found'],
			['/api/v1/skills/nope/files', 404, 'skill_not_found'],
			['/api/v1/skills/nope/files/SKILL.md', 404, 'skill_not_found'],
			['/api/v1/skills/http-api-review/files/nope.md', 404, 'file_not_found'],
			['/api/v1/skills/nope/checklist', 404, 'skill_not_found'],
			['/api/v1/skills/hostile-skill/checklist', 404, 'not_found'],
			['/api/v1/skills/hostile-skill/evals', 404, 'not_found'],
			['/api/v1/skills/nope/check', 404, 'skill_not_found'],
			['/api/v1/skills/nope/archive.tar.gz', 404, 'skill_not_found'],
			['/api/v1/skills/nope/archive.zip', 404, 'skill_not_found'],
			['/api/v1/nope', 404, 'not_found'],
			['/api/v1/skills?limit=0', 400, 'bad_limit'],
			['/api/v1/skills?limit=101', 400, 'bad_limit'],
			['/api/v1/skills?limit=abc', 400, 'bad_limit'],
			['/api/v1/skills?cursor=zz', 400, 'bad_cursor'],
			['/api/v1/skills?x=%ff', 400, 'bad_query'],
			['/api/v1/skills/a%2Fb', 400, 'bad_path'],
			['/api/v1/diagnostics?severity=fatal', 400, 'bad_severity'],
			['/api/v1/search', 400, 'bad_query'],
			['/api/v1/search?q=', 400, 'bad_query'],
			['/api/v1/search?q=-only', 400, 'bad_query'],
			['/api/v1/search?q=x&kind=bogus', 400, 'bad_query'],
			['/api/v1/search?q=x&limit=51', 400, 'bad_limit'],
			['/api/v1/search?q=x&cursor=bogus', 400, 'bad_query'],
			['/api/v1/resolve', 400, 'bad_query'],
			['/api/search', 400, 'bad_query'],
			['/api/search?q=x&limit=0', 400, 'bad_limit'],
			['/api/v1/resolve?task=x&k=21', 400, 'bad_limit'],
			['/healthz?x=%ff', 400, 'bad_query'],
		];
		for (const [p, status, code] of cases) {
			const { json } = await call(p, { status });
			assert.equal(json.error.code, code, p);
		}
		for (const [method, p] of [['POST', '/api/v1/skills'], ['DELETE', '/api/v1/skills/http-api-review'],
			['PUT', '/healthz'], ['PATCH', '/api/v1/openapi.json'], ['POST', '/api/v1/search?q=x']]) {
			const { res, json } = await call(p, { method, status: 405 });
			assert.equal(json.error.code, 'method_not_allowed');
			assert.match(res.headers.get('allow'), /GET/);
		}
		// The admin reload: with nothing changed the generation stays; full=1
		// reads every skill again, a new generation; then GET is a 405 with
		// Allow: POST. A write: JSON from a program, never a form or another
		// site's page.
		const before = (await call('/healthz', { status: 200 })).json.generation;
		const json = { 'content-type': 'application/json' };
		const same = await call('/api/v1/admin/reload', { method: 'POST', headers: json, status: 200 });
		assert.equal(same.json.generation, before);
		const reload = await call('/api/v1/admin/reload?full=1', { method: 'POST', headers: json, status: 200 });
		assert.equal(reload.json.generation, before + 1);
		const bad = await call('/api/v1/admin/reload?full=2', { method: 'POST', headers: json, status: 400 });
		assert.equal(bad.json.error.code, 'bad_full');
		for (const headers of [{}, { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
			{ ...json, origin: 'http://evil.example' }, { ...json, 'sec-fetch-site': 'cross-site' }]) {
			const refused = await call('/api/v1/admin/reload', { method: 'POST', headers, status: 403 });
			assert.equal(refused.json.error.code, 'cross_site_write');
		}
		assert.equal((await call('/healthz', { status: 200 })).json.generation, before + 1);
		const get = await call('/api/v1/admin/reload', { status: 405 });
		assert.equal(get.res.headers.get('allow'), 'POST');
		const head = await call('/api/v1/skills', { method: 'HEAD', status: 200 });
		assert.equal(head.bytes.length, 0);
		for (const p of ['/healthz', '/api/v1/skills', '/api/v1/skills/odd-skill', '/api/v1/skills/odd-skill/files/assets/logo.png',
			'/api/v1/skills/odd-skill/archive.zip', '/api/v1/search?q=review', '/api/v1/diagnostics']) {
			const first = await call(p, { status: 200 });
			await call(p, { headers: { 'If-None-Match': first.res.headers.get('etag') }, status: 304 });
			await call(p, { headers: { 'If-None-Match': '*' }, status: 304 });
			await call(p, { headers: { 'If-None-Match': '"0000"' }, status: 200 });
		}
	});

	it('review runs: start, list, read (JSON and markdown), verdicts, close, delete', async () => {
		const json = { 'content-type': 'application/json' };
		const started = await call('/api/v1/reviews', { method: 'POST', headers: json, status: 201,
			body: { skill: 'odd-skill', title: 'Contract review', target: 'https://example.com/pr/1' } });
		const id = started.json.id;
		assert.equal(started.res.headers.get('location'), `/api/v1/reviews/${id}`);
		// an item without a ref is named by its place
		assert.ok(started.json.sections.flatMap((x) => x.items).some((it) => it.ref === 'Item 4'));
		await call(`/api/v1/reviews/${id}/items/N1`, { method: 'PATCH', headers: json, status: 200,
			body: { verdict: 'fail', severity: 'minor', note: 'vague', evidence: 'w.c:3' } });
		const stale = await call(`/api/v1/reviews/${id}/items/N1`, { method: 'PATCH',
			headers: { ...json, 'if-match': '"0"' }, status: 412, body: { verdict: 'pass' } });
		assert.equal(stale.json.item.version, 1);
		await call(`/api/v1/reviews/${id}/verdicts`, { method: 'POST', headers: json, status: 200,
			body: { author: 'e2e', verdicts: [{ item: 'Ch 1', verdict: 'pass' }, { item: 'Item 4', verdict: 'na' }] } });
		const bad = await call(`/api/v1/reviews/${id}/verdicts`, { method: 'POST', headers: json, status: 400,
			body: { verdicts: [{ item: 'nope', verdict: 'pass' }] } });
		assert.equal(bad.json.error.field, 'verdicts[0].item');
		const view = await call(`/api/v1/reviews/${id}`, { status: 200 });
		assert.deepEqual(view.json.counts, { pass: 1, fail: 1, na: 1, open: 2 });
		await call(`/api/v1/reviews/${id}`, { headers: { 'If-None-Match': view.res.headers.get('etag') }, status: 304 });
		const md = await call(`/api/v1/reviews/${id}?format=md`, { status: 200 });
		assert.match(md.bytes.toString('utf8'), /^### Review: Contract review \(/);
		await call('/api/v1/reviews?skill=odd-skill&status=open&limit=5', { status: 200 });
		await call(`/api/v1/reviews/${id}`, { method: 'PATCH', headers: json, status: 200, body: { status: 'closed' } });
		const closed = await call(`/api/v1/reviews/${id}/items/N1`, { method: 'PATCH', headers: json, status: 409,
			body: { verdict: 'pass' } });
		assert.equal(closed.json.error.code, 'review_closed');
		for (const [p, body, code] of [['/api/v1/reviews', { skill: 'nope', title: 'x' }, 'skill_not_found'],
			['/api/v1/reviews', { skill: 'hostile-skill', title: 'x' }, 'checklist_not_found']])
			assert.equal((await call(p, { method: 'POST', headers: json, status: 404, body })).json.error.code, code);
		const refused = await call('/api/v1/reviews', { method: 'POST', headers: { ...json, origin: 'http://evil.example' },
			status: 403, body: { skill: 'odd-skill', title: 'x' } });
		assert.equal(refused.json.error.code, 'cross_site_write');
		// the event stream: its headers, then the change a write makes
		{
			const ac = new AbortController();
			const res = await fetch(`${base}/api/v1/reviews/${id}/events`, { signal: ac.signal });
			assert.equal(res.status, 200);
			assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
			seen.set('get /api/v1/reviews/{id}/events', new Set([200]));
			const reader = res.body.getReader();
			let text = '';
			await call(`/api/v1/reviews/${id}`, { method: 'PATCH', headers: json, status: 200, body: { status: 'open' } });
			while (!text.includes('event: change')) {
				const { value, done } = await reader.read();
				if (done) break;
				text += Buffer.from(value).toString('utf8');
			}
			assert.match(text, /id: \d+\nevent: change\ndata: \{"seq":\d+,.*"change":\{"status":\["closed","open"\]\}\}\n\n/);
			ac.abort();
			await call(`/api/v1/reviews/${id}/events?after=x`, { status: 400 });
			await call('/api/v1/reviews/0123456789abcdef/events', { status: 404 });
		}
		await call(`/api/v1/reviews/${id}`, { method: 'DELETE', headers: json, status: 204 });
		await call(`/api/v1/reviews/${id}`, { status: 404 });
	});

	it('every documented operation answered 2xx at least once', () => {
		for (const [p, item] of Object.entries(spec.paths))
			for (const m of Object.keys(item))
				assert.ok([200, 201, 204].some((st) => seen.get(`${m} ${p}`)?.has(st)),
					`${m} ${p} never answered 2xx in this test`);
	});
});

describe('OpenAPI contract on hostile skills', () => {
	let d, tmp;

	// tests/fixtures/messy (the indexer's hostile fixtures) and every fuzz
	// seed as a skill: SKILL.md files, review checklists and evals.json.
	before(async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skilld-openapi-fuzz-'));
		const seeds = (kind) => fs.readdirSync(path.join(ROOT, 'fuzz', 'corpus', kind))
			.map((f) => [f, fs.readFileSync(path.join(ROOT, 'fuzz', 'corpus', kind, f))]);
		for (const kind of ['skill', 'frontmatter'])
			for (const [f, data] of seeds(kind)) {
				fs.mkdirSync(path.join(tmp, `${kind}-${f}`));
				fs.writeFileSync(path.join(tmp, `${kind}-${f}`, 'SKILL.md'), data);
			}
		for (const [kind, rel] of [['checklist', 'references/review-checklist.md'], ['evals', 'evals/evals.json']])
			seeds(kind).forEach(([, data], i) => {
				const dir = path.join(tmp, `${kind}-${i}`);
				fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
				fs.writeFileSync(path.join(dir, 'SKILL.md'), `---\nname: ${kind}-${i}\ndescription: fuzz seed\n---\nBody.\n`);
				fs.writeFileSync(path.join(dir, rel), data);
			});
		d = await startDaemon({ roots: ['tests/fixtures/messy', tmp] });
		base = d.base;
	});

	after(async () => {
		if (d) {
			const e = await d.stop();
			assert.deepEqual(e, { code: 0, signal: null }, d.log());
		}
		fs.rmSync(tmp, { recursive: true, force: true });
	});

	it('every answer about every skill matches the document', async () => {
		const slugs = [];
		for (let p = '/api/v1/skills?limit=100'; p;) {
			const { json } = await call(p, { status: 200 });
			slugs.push(...json.data.map((s) => s.slug));
			p = json.next_cursor && `/api/v1/skills?limit=100&cursor=${json.next_cursor}`;
		}
		assert.ok(slugs.length > 100, `${slugs.length} skills`);
		let calls = 0;
		for (const slug of slugs) {
			const { json: detail } = await call(`/api/v1/skills/${slug}`, { status: 200 });
			for (const f of detail.files) {
				const p = `/api/v1/skills/${slug}/files/${f.path.split('/').map(encodeURIComponent).join('/')}`;
				const res = await fetch(base + p);
				checkResponse('GET', p, res, Buffer.from(await res.arrayBuffer()));
				calls++;
			}
			for (const x of ['files', 'checklist', 'evals', 'check', 'archive.tar.gz', 'archive.zip']) {
				const res = await fetch(`${base}/api/v1/skills/${slug}/${x}`);
				checkResponse('GET', `/api/v1/skills/${slug}/${x}`, res, Buffer.from(await res.arrayBuffer()));
				calls++;
			}
		}
		await call('/api/v1/checklists', { status: 200 });
		const { json: diags } = await call('/api/v1/diagnostics', { status: 200 });
		assert.ok(diags.counts.error > 10 && diags.data.some((x) => x.skill === null));
		for (const q of ['name', 'test*', '"review checklist"', 'yaml -json', 'ünïcödé'])
			await call(`/api/v1/search?q=${encodeURIComponent(q)}&limit=50`, { status: 200 });
		assert.ok(calls > 500, `${calls} answers checked`);
	});
});

describe('OpenAPI contract with --token-file', () => {
	const TOKEN = 'open-sesame-0123456789';
	let child, exit, tokenBase, tmp, log = '';

	// startDaemon waits for a 200 from /healthz, which a token server never
	// gives without the token: this one is started here and waited for until
	// it answers 401.
	before(async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skilld-openapi-token-'));
		fs.writeFileSync(path.join(tmp, 'token'), `${TOKEN}\n`);
		const port = await freePort();
		tokenBase = `http://${HOST}:${port}`;
		child = spawn(BIN, ['serve', '--skills', 'skills', '--db', path.join(tmp, 'db'), '--bind', HOST,
			'--port', String(port), '--token-file', path.join(tmp, 'token')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		child.stdout.on('data', (b) => { log += b; });
		child.stderr.on('data', (b) => { log += b; });
		exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
		for (let i = 0; ; i++) {
			try {
				if ((await fetch(`${tokenBase}/healthz`)).status === 401)
					break;
			} catch { /* not listening yet */ }
			assert.ok(i < 150 && child.exitCode === null, `the token server did not answer 401:\n${log}`);
			await sleep(100);
		}
	});

	after(async () => {
		if (child && child.exitCode === null && child.signalCode === null)
			process.kill(child.pid, 'SIGTERM');
		if (child)
			assert.deepEqual(await exit, { code: 0, signal: null }, log);
		fs.rmSync(tmp, { recursive: true, force: true });
	});

	it('answers 401 without the token, as documented', async () => {
		for (const p of ['/healthz', '/api/v1/skills', '/api/v1/skills/http-api-review/check', '/api/v1/openapi.json']) {
			const res = await fetch(tokenBase + p);
			const body = Buffer.from(await res.arrayBuffer());
			assert.equal(res.status, 401, p);
			assert.equal(checkResponse('GET', p, res, body).error.code, 'unauthorized');
		}
		const res = await fetch(tokenBase + '/api/v1/skills', { headers: { Authorization: `Bearer ${TOKEN}` } });
		assert.equal(res.status, 200);
		checkResponse('GET', '/api/v1/skills', res, Buffer.from(await res.arrayBuffer()));
	});
});
