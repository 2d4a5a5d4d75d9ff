// SPDX-License-Identifier: MIT
// Reload under load: eight client loops fetch several URLs of a daemon
// (file watching on) while this script edits, adds and removes skills 20
// times, through the watcher, SIGHUP and POST /api/v1/admin/reload. Then:
// zero failed requests; no two answers that read the same generation
// (X-Skilld-Generation) disagree about it (which skills exist, which
// marker each carries), so no answer mixed two generations; and after a
// last reload every answer equals the folders. (A reload commits in a few
// microseconds between two statements of one answer only rarely, so this
// check seldom has a mix to catch; check_reload's snapshot test shows the
// mechanism that prevents it, deterministically.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sleep, startDaemon } from './daemon.mjs';

const BASE_SKILLS = ['alpha-skill', 'beta-skill', 'gamma-skill'];
const STEPS = 20;
const CLIENTS = 8;

let daemon, root;

function skillMd(name, marker) {
	return `---\nname: ${name}\ndescription: Marker m-${marker} of the reload test. Use when testing reloads.\n---\n` +
		`# ${name}\n\nThis text carries marker m-${marker}.\n\n## Notes\n\nSee references/notes.md.\n`;
}

// Writes a file atomically (a temporary name, then rename), as editors do.
function writeAtomic(file, text) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(`${file}.tmp~`, text);
	fs.renameSync(`${file}.tmp~`, file);
}

function writeSkill(name, marker) {
	writeAtomic(path.join(root, name, 'SKILL.md'), skillMd(name, marker));
	writeAtomic(path.join(root, name, 'references', 'notes.md'), `# Notes\n\nmarker m-${marker}\n`);
}

const markers = (text) => [...text.matchAll(/m-(\d+)/g)].map((m) => Number(m[1]));

// What the answers said about each generation: gen → { skills, marker: {slug → n} }.
const seen = new Map();
const conflicts = [];
let requests = 0;
const failures = [];

function observe(gen, what, key, value) {
	if (!seen.has(gen))
		seen.set(gen, new Map());
	const g = seen.get(gen);
	const k = `${what}:${key}`;
	if (!g.has(k))
		g.set(k, value);
	else if (g.get(k) !== value)
		conflicts.push(`generation ${gen}: ${k} was ${g.get(k)}, now ${value}`);
}

// One client: round-robin over the URLs until stop() says so.
async function client(id, stop) {
	const urls = ['/api/v1/skills', '/.well-known/skills/index.json', '/llms-full.txt',
		...BASE_SKILLS.map((s) => `/skills/${s}/references/notes.md?format=md`),
		...BASE_SKILLS.map((s) => `/api/v1/skills/${s}`)];
	for (let i = id; !stop(); i++) {
		const u = urls[i % urls.length];
		let res, text;
		try {
			res = await fetch(daemon.base + u);
			text = await res.text();
		} catch (e) {
			failures.push(`${u}: ${e.message}`);
			continue;
		}
		requests++;
		if (res.status !== 200) {
			failures.push(`${u}: ${res.status} ${text.slice(0, 200)}`);
			continue;
		}
		const gen = Number(res.headers.get('x-skilld-generation'));
		if (!(gen > 0)) {
			failures.push(`${u}: no generation header`);
			continue;
		}
		if (u === '/api/v1/skills') {
			const list = JSON.parse(text).data;
			observe(gen, 'skills', '', list.map((s) => s.slug).sort().join(','));
			for (const s of list)
				observe(gen, 'marker', s.slug, markers(s.description)[0]);
		} else if (u.startsWith('/.well-known')) {
			const idx = JSON.parse(text).skills;
			observe(gen, 'skills', '', idx.map((s) => s.name).sort().join(','));
			for (const s of idx)
				observe(gen, 'marker', s.name, markers(s.description)[0]);
		} else if (u === '/llms-full.txt') {
			const parts = text.split(/^# /m).slice(1);
			for (const p of parts) {
				const slug = p.slice(0, p.indexOf('\n'));
				observe(gen, 'marker', slug, markers(p)[0]);
			}
		} else if (u.includes('/references/')) {
			const slug = u.split('/')[2];
			observe(gen, 'notes', slug, markers(text)[0]);
		} else {
			const s = JSON.parse(text);
			observe(gen, 'marker', s.slug, markers(s.description)[0]);
			observe(gen, 'body', s.slug, markers(s.body)[0]);
		}
	}
}

before(async () => {
	const tmp = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'skilld-reload-'));
	root = path.join(tmp, 'skills');
	for (const s of BASE_SKILLS)
		writeSkill(s, 0);
	daemon = await startDaemon({ roots: [root] });
});

after(async () => {
	if (daemon) {
		const { code, signal } = await daemon.stop();
		assert.equal(signal, null, `skilld killed by ${signal}:\n${daemon.log()}`);
		assert.equal(code, 0, `skilld exit status after SIGTERM:\n${daemon.log()}`);
	}
	fs.rmSync(path.dirname(root), { recursive: true, force: true });
});

describe('reloading under load', { timeout: 180000 }, () => {
	it('fails no request, never mixes generations, and ends equal to the folders', async () => {
		let done = false;
		const loops = Array.from({ length: CLIENTS }, (_, i) => client(i, () => done));
		for (let step = 1; step <= STEPS; step++) {
			for (const s of BASE_SKILLS)
				writeSkill(s, step);
			writeSkill(`extra-${step}`, step);
			fs.rmSync(path.join(root, `extra-${step - 1}`), { recursive: true, force: true });
			if (step % 5 === 0) {
				const res = await fetch(`${daemon.base}/api/v1/admin/reload`, { method: 'POST', headers: { 'content-type': 'application/json' } });
				assert.equal(res.status, 200, await res.text());
			} else if (step % 5 === 2) {
				process.kill(daemon.pid, 'SIGHUP');
			}
			await sleep(150 + (step % 3) * 150); // sometimes inside the debounce, sometimes after
		}
		const res = await fetch(`${daemon.base}/api/v1/admin/reload`, { method: 'POST', headers: { 'content-type': 'application/json' } });
		assert.equal(res.status, 200);
		const last = (await res.json()).generation;
		await sleep(300);
		done = true;
		await Promise.all(loops);

		assert.deepEqual(failures, [], 'failed requests');
		assert.deepEqual(conflicts, [], 'answers that disagree about one generation');
		assert.ok(requests > 200, `only ${requests} requests`);
		assert.ok(seen.size >= 5, `only ${seen.size} generations seen`);
		console.log(`# ${requests} requests over ${seen.size} generations (last ${last}), 0 failed`);

		// The end state equals the folders.
		const want = [...BASE_SKILLS, `extra-${STEPS}`].sort();
		const list = await (await fetch(`${daemon.base}/api/v1/skills`)).json();
		assert.deepEqual(list.data.map((s) => s.slug).sort(), want);
		for (const s of want) {
			for (const f of ['SKILL.md', 'references/notes.md']) {
				const got = Buffer.from(await (await fetch(`${daemon.base}/api/v1/skills/${s}/files/${f}`)).arrayBuffer());
				assert.ok(got.equals(fs.readFileSync(path.join(root, s, f))), `${s}/${f}`);
			}
		}
	});
});
