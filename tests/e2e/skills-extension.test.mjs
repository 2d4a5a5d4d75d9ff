// SPDX-License-Identifier: MIT
// The MCP Skills extension (io.modelcontextprotocol/skills) with the real
// client libraries: the MCP TypeScript SDK's 2.x Client
// (@modelcontextprotocol/client) over Streamable HTTP, and the extension's
// client library (@olaservo/ext-skills). Starts build/skilld on the bundled
// skills, tests/e2e/fixtures and tests/e2e/ext-fixtures (pdf-forms: nested
// template folders, a binary asset, frontmatter with a number in it), then:
// discoverSkills finds every skill skilld can list (and says why it leaves
// the others out), readSkill verifies each SKILL.md (digest and frontmatter),
// readSkillUriVerified and readSkillResource verify every file's digest,
// walkDirectory lists every file, and the entries' files are the folders'
// files on disk. Then prompts, completion and logging through the same
// client. Run with `node --test tests/e2e/skills-extension.test.mjs` after
// `make` and `npm ci` in tests/e2e (or `make e2e`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import {
	discoverSkills, getSkill, readSkill, readSkillResource, readSkillUriVerified,
	serverSupportsDirectoryRead, serverSupportsSkills, walkDirectory,
} from '@olaservo/ext-skills/client';
import { ROOT, filesOf, startDaemon } from './daemon.mjs';

const ROOTS = ['skills', 'tests/e2e/fixtures', 'tests/e2e/ext-fixtures'];

// Skill folders by folder name (= frontmatter name in these roots).
const FOLDERS = {};
for (const root of ROOTS)
	for (const d of fs.readdirSync(path.join(ROOT, root), { withFileTypes: true }))
		if (d.isDirectory() && fs.existsSync(path.join(ROOT, root, d.name, 'SKILL.md')))
			FOLDERS[d.name] = path.join(ROOT, root, d.name);


const sha256 = (buf) => 'sha256:' + crypto.createHash('sha256').update(buf).digest('hex');

let daemon, client, entries;

describe('MCP Skills extension with @modelcontextprotocol/client 2.x and @olaservo/ext-skills', () => {
	before(async () => {
		daemon = await startDaemon({ roots: ROOTS });
		client = new Client({ name: 'skilld-e2e', version: '1.0.0' });
		await client.connect(new StreamableHTTPClientTransport(new URL(`${daemon.base}/mcp`)));
	});

	after(async () => {
		await client?.close();
		if (daemon) {
			const exit = await daemon.stop();
			assert.equal(exit.code, 0, `skilld exited ${JSON.stringify(exit)}:\n${daemon.log()}`);
		}
	});

	it('declares the extension with directoryRead', () => {
		assert.equal(serverSupportsSkills(client), true);
		assert.equal(serverSupportsDirectoryRead(client), true);
	});

	it('discoverSkills finds every skill skilld can list, and the diagnostics say why not the others', async () => {
		entries = await discoverSkills(client);
		const listed = entries.map((e) => e.uri).sort();
		const skills = await (await fetch(`${daemon.base}/api/v1/skills?limit=100`)).json();
		const diags = await (await fetch(`${daemon.base}/api/v1/diagnostics`)).json();
		const unlisted = new Set(diags.data.filter((d) => d.code === 'skills-extension-unlisted').map((d) => d.skill));
		const want = skills.data.filter((s) => !unlisted.has(s.slug)).map((s) => `skill://${s.slug}/SKILL.md`).sort();
		assert.deepEqual(listed, want);
		for (const s of skills.data)
			if (unlisted.has(s.slug))
				assert.ok(!s.valid || s.slug !== s.name, `${s.slug} is valid and served under its name, yet unlisted`);
		// these must be there, whatever the rest says
		for (const name of ['c-memory-safety-review', 'http-api-review', 'sql-schema-review', 'pdf-forms'])
			assert.ok(listed.includes(`skill://${name}/SKILL.md`), name);
	});

	it('lists every file of each skill with the digest and size of the bytes on disk', () => {
		for (const e of entries) {
			const name = e.frontmatter.name;
			assert.equal(e.uri, `skill://${name}/SKILL.md`);
			const dir = FOLDERS[name];
			assert.ok(dir, `${name}: a folder`);
			const want = filesOf(dir).map((f) => `skill://${name}/${f}`);
			assert.deepEqual(e.resources.map((r) => r.uri).sort(), want.sort(), `${name}: files`);
			for (const r of e.resources) {
				const bytes = fs.readFileSync(path.join(dir, r.uri.slice(`skill://${name}/`.length)));
				assert.equal(r.digest, sha256(bytes), r.uri);
				assert.equal(r.size, bytes.length, r.uri);
			}
		}
	});

	it('keeps the frontmatter verbatim, typed as YAML reads it', () => {
		const e = entries.find((x) => x.frontmatter.name === 'pdf-forms');
		assert.deepEqual(e.frontmatter, {
			name: 'pdf-forms',
			description: 'Fill and check PDF forms from templates. Use when the user asks to fill an ' +
				'invoice or purchase order form, or to check a filled PDF form.',
			license: 'Apache-2.0',
			'allowed-tools': 'Read Grep',
			metadata: { version: 2.1, owner: 'billing' },
		});
	});

	it('readSkill verifies every SKILL.md: digest and frontmatter', async () => {
		for (const e of entries) {
			const text = await readSkill(client, e);
			assert.ok(text.startsWith('---'), e.uri);
		}
	});

	it('readSkillUriVerified and readSkillResource verify every file', async () => {
		let text = 0, blob = 0;
		for (const e of entries) {
			for (const r of e.resources) {
				const got = await readSkillResource(client, e, r.uri);
				if (typeof got.text === 'string') {
					assert.equal(await readSkillUriVerified(client, r.uri, r.digest), got.text);
					text++;
				} else {
					assert.equal(typeof got.blob, 'string', r.uri);
					blob++;
				}
			}
		}
		assert.ok(text > 20, `${text} text files`);
		assert.ok(blob >= 1, `${blob} binary files (pdf-forms/assets/logo.png)`);
		// the verification can fail: a wrong digest is refused
		const e = entries[0];
		await assert.rejects(readSkillUriVerified(client, e.uri, 'sha256:' + '0'.repeat(64)), /Digest mismatch/);
	});

	it('walkDirectory lists every file of each skill, folders nested', async () => {
		for (const e of entries) {
			const root = e.uri.slice(0, -'/SKILL.md'.length);
			const files = await walkDirectory(client, root);
			assert.deepEqual(files.map((f) => f.uri).sort(), e.resources.map((r) => r.uri).sort(), root);
		}
		const regional = await walkDirectory(client, 'skill://pdf-forms/templates/regional');
		assert.deepEqual(regional.map((f) => f.name), ['eu-invoice.md']);
	});

	it('getSkill answers for a listed skill and refuses what is not one', async () => {
		const e = await getSkill(client, 'skill://pdf-forms/SKILL.md');
		assert.deepEqual(e, entries.find((x) => x.uri === 'skill://pdf-forms/SKILL.md'));
		await assert.rejects(getSkill(client, 'skill://pdf-forms/templates/invoice.md'), (err) => err.code === -32602);
		await assert.rejects(getSkill(client, 'skill://no-such-skill/SKILL.md'), (err) => err.code === -32602);
	});

	it('serves every valid skill as a prompt, with its references linked', async () => {
		const { prompts } = await client.listPrompts();
		const names = prompts.map((p) => p.name);
		for (const name of ['c-memory-safety-review', 'http-api-review', 'sql-schema-review', 'pdf-forms'])
			assert.ok(names.includes(name), name);
		const p = await client.getPrompt({ name: 'pdf-forms', arguments: { task: 'fill invoice 7' } });
		const md = fs.readFileSync(path.join(FOLDERS['pdf-forms'], 'SKILL.md'), 'utf8');
		assert.equal(p.messages[0].content.text, md);
		assert.deepEqual(p.messages.filter((m) => m.content.type === 'resource_link').map((m) => m.content.uri),
			['skill://pdf-forms/references/fields.md']);
		assert.equal(p.messages.at(-1).content.text, 'Task: fill invoice 7');
	});

	it('completes slugs and paths of the skill:// template, and sets a log level', async () => {
		const slugs = await client.complete({ ref: { type: 'ref/resource', uri: 'skill://{slug}/{path}' },
			argument: { name: 'slug', value: 'pdf' } });
		assert.deepEqual(slugs.completion.values, ['pdf-forms']);
		const paths = await client.complete({ ref: { type: 'ref/resource', uri: 'skill://{slug}/{path}' },
			argument: { name: 'path', value: 'templates/r' }, context: { arguments: { slug: 'pdf-forms' } } });
		assert.deepEqual(paths.completion.values, ['templates/regional/eu-invoice.md']);
		assert.deepEqual(await client.setLoggingLevel('warning'), {});
	});
});
