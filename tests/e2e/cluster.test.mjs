// SPDX-License-Identifier: MIT
// skilld beyond one machine: three replicas (each its own --db index of one
// skills folder, each --store postgresql://) behind nginx, on a throwaway
// PostgreSQL 15 (cluster.mjs). Asserts:
// - the same URL gives the same bytes and ETag on every replica, one of
//   them started after a change to the folder (another generation);
// - an event stream on replica B sees a verdict written on replica A within
//   1 s, before the load and after PostgreSQL came back;
// - 32 writers through nginx for SKILLD_CLUSTER_SECONDS (20 s by default;
//   the issue's 60 s with SKILLD_CLUSTER_SECONDS=60), while one replica is
//   killed with SIGKILL and PostgreSQL is restarted: every write answered
//   2xx is in PostgreSQL, once, in the order it was sent per item; nothing
//   answered 503 is; writes in PostgreSQL's gap answer 503 with
//   Retry-After and then succeed; after the kill nginx answers only from
//   the live replicas;
// - a SQLite review database moved into PostgreSQL with
//   tools/reviews-to-pg.sh answers byte for byte as before.
// Run alone with `make e2e-cluster`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { HOST, ROOT, sleep, startDaemon } from './daemon.mjs';
import { PG_BIN, startNginx, startPostgres } from './cluster.mjs';

const SECONDS = Number(process.env.SKILLD_CLUSTER_SECONDS || 20);
const WRITERS = 32;
const SKILL = 'c-memory-safety-review';

let pg, nginx, tmp, skills;
const replicas = [];

// GET base+url with extra headers over node:http (fetch cannot set Host);
// resolves { status, headers, body (Buffer) }.
function get(base, url, headers = {}) {
	return new Promise((resolve, reject) => {
		const req = http.get(base + url, { headers, agent: false }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
		});
		req.on('error', reject);
	});
}

// A JSON write; resolves { status, retryAfter, json } (status 0: no answer).
async function write(base, method, url, body) {
	try {
		const res = await fetch(base + url, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		const text = await res.text();
		let json = null;
		try { json = JSON.parse(text); } catch { /* an nginx error page */ }
		return { status: res.status, retryAfter: res.headers.get('retry-after'), json };
	} catch (e) {
		return { status: 0, retryAfter: null, json: null, error: String(e) };
	}
}

async function healthz(base) {
	return (await fetch(`${base}/healthz`)).json();
}

// Opens review id's event stream on base after seq, writes a verdict with a
// fresh note on writer, and resolves how many ms the event took to come.
async function eventLatency(base, writer, id, item, note) {
	const ac = new AbortController();
	const res = await fetch(`${base}/api/v1/reviews/${id}/events?after=${(await (await fetch(`${base}/api/v1/reviews/${id}`)).json()).seq}`,
		{ signal: ac.signal });
	assert.equal(res.status, 200);
	const reader = res.body.getReader();
	const t0 = Date.now();
	const w = await write(writer, 'PATCH', `/api/v1/reviews/${id}/items/${item}`, { verdict: 'fail', note });
	assert.equal(w.status, 200, JSON.stringify(w));
	let text = '';
	const timer = setTimeout(() => ac.abort(), 5000);
	try {
		while (!text.includes(JSON.stringify(note).slice(1, -1))) {
			const { value, done } = await reader.read();
			assert.ok(!done, 'the stream ended');
			text += new TextDecoder().decode(value);
		}
	} catch (e) {
		assert.fail(`no event for ${note} on ${base} within 5 s (${e}): ${text}`);
	} finally {
		clearTimeout(timer);
		ac.abort();
	}
	return Date.now() - t0;
}

describe('skilld behind nginx on one PostgreSQL', () => {
	before(async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skilld-cluster-'));
		skills = path.join(tmp, 'skills');
		fs.cpSync(path.join(ROOT, 'skills'), skills, { recursive: true, preserveTimestamps: true });
		pg = await startPostgres();
		for (let i = 0; i < 2; i++)
			replicas.push(await startDaemon({ roots: [skills], args: ['--store', pg.uri] }));
	});

	after(async () => {
		if (nginx)
			await nginx.stop();
		for (const r of replicas)
			await r.stop();
		if (pg)
			await pg.close();
		if (tmp)
			fs.rmSync(tmp, { recursive: true, force: true });
	});

	it('every replica answers a URL with the same bytes and ETag, whatever its generation', async () => {
		// a change seen by A and B; C indexes the folder as it is now
		fs.appendFileSync(path.join(skills, 'sql-schema-review', 'SKILL.md'), '\nOne more line.\n');
		for (const r of replicas) {
			const end = Date.now() + 10000;
			while ((await healthz(r.base)).generation < 2) {
				assert.ok(Date.now() < end, `replica ${r.base} did not reload:\n${r.log()}`);
				await sleep(100);
			}
		}
		replicas.push(await startDaemon({ roots: [skills], args: ['--store', pg.uri] }));
		const gens = await Promise.all(replicas.map(async (r) => (await healthz(r.base)).generation));
		assert.deepEqual(gens, [2, 2, 1]);
		nginx = await startNginx(replicas.map((r) => new URL(r.base).port));

		const host = `${HOST}:${nginx.port}`;
		const urls = ['/api/v1/skills', `/api/v1/skills/${SKILL}`, '/api/v1/skills/sql-schema-review',
			'/api/v1/skills/sql-schema-review/files', '/api/v1/skills/sql-schema-review/files/SKILL.md',
			`/api/v1/skills/${SKILL}/checklist`, '/?format=json', '/?format=html', '/api/v1/search?q=schema',
			'/api/v1/search?q=memory&kind=checklist', '/skills/sql-schema-review?format=html', '/llms-full.txt',
			'/.well-known/agent-skills/index.json', `/api/v1/skills/${SKILL}/archive.tar.gz`];
		for (const url of urls) {
			for (const coding of ['identity', 'gzip']) {
				const answers = await Promise.all(replicas.map((r) => get(r.base, url, { Host: host, 'Accept-Encoding': coding })));
				const first = answers[0];
				assert.equal(first.status, 200, `${url}: ${first.body}`);
				assert.match(first.headers.etag, /^"[0-9a-f]+(-gz)?"$/, url);
				for (const a of answers.slice(1)) {
					assert.equal(a.status, 200, url);
					assert.equal(a.headers.etag, first.headers.etag, `${url} (${coding}): ETags differ`);
					assert.ok(a.body.equals(first.body), `${url} (${coding}): bytes differ`);
				}
				// and through the balancer
				const b = await get(nginx.base, url, { 'Accept-Encoding': coding });
				assert.equal(b.headers.etag, first.headers.etag, url);
				assert.ok(b.body.equals(first.body), url);
			}
		}
	});

	it('32 writers through nginx while a replica is killed and PostgreSQL restarts: nothing acknowledged is lost', async () => {
		const [A, B, C] = replicas;
		// five reviews: four for the writers, one for the event checks
		const reviews = [];
		for (let i = 0; i < 5; i++) {
			const r = await write(nginx.base, 'POST', '/api/v1/reviews', { skill: SKILL, title: `load ${i}` });
			assert.equal(r.status, 201, JSON.stringify(r));
			reviews.push(r.json);
		}
		const items = reviews[0].sections.flatMap((s) => s.items.map((x) => x.id));
		assert.ok(items.length >= WRITERS);
		const watched = reviews[4].id;
		const before = await eventLatency(B.base, A.base, watched, items[0], 'before the load');
		assert.ok(before <= 1000, `a verdict on A took ${before} ms to reach B`);

		const t0 = Date.now(), end = t0 + SECONDS * 1000;
		const log = [];    // { w, n, kind, note, status, retryAfter, at, done }
		async function writer(w) {
			const id = reviews[w % 4].id, item = items[w];
			for (let n = 0; Date.now() < end; n++) {
				const note = `w${w}-${n}`;
				const kind = n % 6 === 5 ? 'create' : n % 2 ? 'batch' : 'patch';
				const at = Date.now();
				let r;
				if (kind === 'create')
					r = await write(nginx.base, 'POST', '/api/v1/reviews', { skill: SKILL, title: note });
				else if (kind === 'batch')
					r = await write(nginx.base, 'POST', `/api/v1/reviews/${id}/verdicts`, { verdicts: [{ item, verdict: 'pass', note }] });
				else
					r = await write(nginx.base, 'PATCH', `/api/v1/reviews/${id}/items/${item}`, { verdict: 'na', note });
				log.push({ w, n, kind, note, status: r.status, retryAfter: r.retryAfter, at, done: Date.now() });
				if (r.status === 503)
					await sleep(200);
			}
		}
		const events = {};
		async function chaos() {
			await sleep(SECONDS * 200);
			events.kill = Date.now();
			process.kill(C.pid, 'SIGKILL');
			await sleep(SECONDS * 200);
			events.pgDown = Date.now();
			await pg.stop();
			await sleep(2000);
			await pg.start();
			events.pgUp = Date.now();
			// the listeners reconnect with their backoff (at most 5 s)
			await sleep(6000);
			events.after = await eventLatency(B.base, A.base, watched, items[1], 'after the restart');
		}
		await Promise.all([chaos(), ...Array.from({ length: WRITERS }, (_, w) => writer(w))]);
		const ms = (t) => t - t0;
		const by = (f) => log.filter(f).length;
		const summary = {
			seconds: SECONDS, writes: log.length, ok: by((x) => x.status >= 200 && x.status < 300),
			s503: by((x) => x.status === 503), other: log.filter((x) => x.status < 200 || (x.status >= 300 && x.status !== 503))
				.map((x) => `${x.status}@${ms(x.at)}`),
			kill: ms(events.kill), pgDown: ms(events.pgDown), pgUp: ms(events.pgUp),
			last503: Math.max(...log.filter((x) => x.status === 503).map((x) => ms(x.done))),
			eventBefore: before, eventAfter: events.after,
		};
		console.log(`cluster: ${JSON.stringify(summary)}`);
		assert.equal((await C.stop()).signal, 'SIGKILL');
		// nginx spread the writes: each replica had its share before the kill
		for (const r of replicas)
			assert.match(r.log(), /(POST|PATCH) "\/api\/v1\/reviews\/[0-9a-f]{16}\/\S+" 200 /, r.base);

		// B heard a write on A within 1 s once PostgreSQL was back
		assert.ok(events.after <= 1000, `after the restart a verdict on A took ${events.after} ms to reach B`);
		// writes in the gap answered 503 with Retry-After, then succeeded
		const gap = log.filter((x) => x.status === 503);
		assert.ok(gap.length > 0, 'no write answered 503 while PostgreSQL was down');
		for (const x of gap) {
			assert.equal(x.retryAfter, '2', JSON.stringify(x));
			assert.ok(x.done >= events.pgDown && x.at <= events.pgUp + 6000, `a 503 outside the gap: ${JSON.stringify(x)}`);
		}
		assert.ok(by((x) => x.status < 300 && x.status >= 200 && x.at > Math.max(...gap.map((g) => g.done))) > 0,
			'no write succeeded after the gap');
		// every answer other than 2xx and 503 came while the killed replica
		// had requests in flight; after that nginx used the live ones only
		for (const x of log.filter((y) => y.status < 200 || (y.status >= 300 && y.status !== 503)))
			assert.ok(x.at <= events.kill + 1000 && x.done >= events.kill && [0, 502, 504].includes(x.status),
				`${JSON.stringify(x)}:\n${nginx.log()}`);

		// PostgreSQL has every acknowledged write once, in order per item
		const applied = new Map();   // note -> times seen
		for (let w = 0; w < WRITERS; w++) {
			const rows = pg.sql(`SELECT change FROM review_events WHERE review_id = '${reviews[w % 4].id}' ` +
				`AND item_id = '${items[w]}' ORDER BY seq`);
			let last = -1;
			for (const { change } of rows) {
				const note = JSON.parse(change).note[1];
				const m = /^w(\d+)-(\d+)$/.exec(note);
				assert.ok(m && Number(m[1]) === w, `writer ${w}'s item got ${note}`);
				assert.ok(Number(m[2]) > last, `writer ${w}: ${note} after w${w}-${last}`);
				last = Number(m[2]);
				applied.set(note, (applied.get(note) || 0) + 1);
			}
		}
		for (const { title, n } of pg.sql(`SELECT title, count(*) AS n FROM reviews WHERE title LIKE 'w%' GROUP BY title`))
			applied.set(title, (applied.get(title) || 0) + Number(n));
		for (const x of log) {
			const times = applied.get(x.note) || 0;
			assert.ok(times <= 1, `${x.note} applied ${times} times`);
			if (x.status >= 200 && x.status < 300)
				assert.equal(times, 1, `${JSON.stringify(x)} was acknowledged and is not in PostgreSQL`);
			else if (x.status !== 0 && x.status !== 502 && x.status !== 504)
				assert.equal(times, 0, `${JSON.stringify(x)} was refused and is in PostgreSQL`);
		}
		assert.equal([...applied.values()].reduce((a, b) => a + b, 0), applied.size);
		// the API on a live replica agrees with the table
		const r0 = await (await fetch(`${B.base}/api/v1/reviews/${reviews[0].id}`)).json();
		const last0 = log.filter((x) => x.w === 0 && x.kind !== 'create' && x.status >= 200 && x.status < 300).pop();
		const item0 = r0.sections.flatMap((s) => s.items).find((x) => x.id === items[0]);
		assert.equal(Number(/-(\d+)$/.exec(item0.note)[1]) >= last0.n, true, `${item0.note} older than ${last0.note}`);
	});

	it('a SQLite review database moved into PostgreSQL (tools/reviews-to-pg.sh) answers the same', async () => {
		const reviewsDb = path.join(tmp, 'reviews.db');
		const lite = await startDaemon({ roots: [skills], args: ['--reviews-db', reviewsDb] });
		const ids = [];
		for (const title of ['PR 1: "quotes", \\ and ünïcödé', 'PR 2']) {
			const r = await write(lite.base, 'POST', '/api/v1/reviews', { skill: SKILL, title, target: 'https://example.com/pr/1' });
			assert.equal(r.status, 201);
			ids.push(r.json.id);
		}
		const items = (await (await fetch(`${lite.base}/api/v1/reviews/${ids[0]}`)).json()).sections.flatMap((s) => s.items);
		const verdicts = [
			{ item: items[0].id, verdict: 'fail', severity: 'Critical', note: 'line one\nline two\ttab', evidence: 'a.c:1' },
			{ item: items[1].id, verdict: 'pass', note: '' },
			{ item: items[2].id, verdict: 'na', note: "it's 100% 'quoted' $$ \\x00" },
		];
		assert.equal((await write(lite.base, 'POST', `/api/v1/reviews/${ids[0]}/verdicts`, { verdicts, author: 'ana' })).status, 200);
		assert.equal((await write(lite.base, 'PATCH', `/api/v1/reviews/${ids[0]}/items/${items[0].id}`, { verdict: null })).status, 200);
		assert.equal((await write(lite.base, 'PATCH', `/api/v1/reviews/${ids[1]}`, { status: 'closed', target: null })).status, 200);
		const urls = ['/api/v1/reviews', ...ids.flatMap((id) => [`/api/v1/reviews/${id}`, `/api/v1/reviews/${id}?format=md`,
			`/reviews/${id}?format=html`])];
		const host = { Host: `${HOST}:1` };
		const want = await Promise.all(urls.map((u) => get(lite.base, u, host)));
		assert.deepEqual((await lite.stop()), { code: 0, signal: null });

		pg.exec('CREATE DATABASE moved', 'postgres');
		const uri = pg.uri.replace(/\/skilld$/, '/moved');
		const empty = await startDaemon({ roots: [skills], args: ['--store', uri] });   // the schema
		await empty.stop();
		const run = spawnSync(path.join(ROOT, 'tools/reviews-to-pg.sh'), [reviewsDb, uri], { encoding: 'utf8' });
		assert.equal(run.status, 0, run.stderr);
		assert.equal(run.stdout, 'moved 2 reviews, 3 items, 7 events\n');
		// a second run refuses, writing nothing
		const again = spawnSync(path.join(ROOT, 'tools/reviews-to-pg.sh'), [reviewsDb, uri], { encoding: 'utf8' });
		assert.notEqual(again.status, 0);
		assert.match(again.stderr, /already holds reviews/);
		assert.equal(pg.sql('SELECT count(*) AS n FROM review_events', 'moved')[0].n, 7);

		const moved = await startDaemon({ roots: [skills], args: ['--store', uri] });
		try {
			for (const [i, u] of urls.entries()) {
				const a = await get(moved.base, u, host);
				assert.equal(want[i].status, 200, u);
				assert.equal(a.status, 200, u);
				assert.equal(a.body.toString(), want[i].body.toString(), u);
				assert.equal(a.headers.etag, want[i].headers.etag, u);
			}
		} finally {
			await moved.stop();
		}
		// docs/deploy.md's backup: pg_dump, then pg_restore into an empty database
		const dump = path.join(tmp, 'moved.dump');
		const d = spawnSync(path.join(PG_BIN, 'pg_dump'), ['--format=custom', `--file=${dump}`, uri], { encoding: 'utf8' });
		assert.equal(d.status, 0, d.stderr);
		pg.exec('CREATE DATABASE restored', 'postgres');
		const r = spawnSync(path.join(PG_BIN, 'pg_restore'), ['--no-owner', `--dbname=${uri.replace(/moved$/, 'restored')}`, dump], { encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
		const rows = (db) => pg.sql('SELECT * FROM review_events ORDER BY review_id, seq', db);
		assert.deepEqual(rows('restored'), rows('moved'));
		assert.equal(rows('restored').length, 7);
	});
});
