// SPDX-License-Identifier: MIT
// Checks skilld's answers against its own OpenAPI document (docs/openapi.json,
// the bytes /api/v1/openapi.json serves): checkResponse(method, path, res,
// body) finds the documented operation for a request, then asserts that the
// status is documented, that the required headers are there and match their
// schemas, that the Content-Type is one the response lists, and that a JSON
// body validates (Ajv, JSON Schema 2020-12) against the documented schema.
// Any e2e test can import it to hold its /api/v1 answers to the contract.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ROOT } from './daemon.mjs';

export const SPEC_PATH = path.join(ROOT, 'docs', 'openapi.json');
export const spec = JSON.parse(fs.readFileSync(SPEC_PATH, 'utf8'));

const SPEC_ID = 'https://skilld.invalid/openapi.json';
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// The whole document as one schema resource, so that every
// "#/components/..." reference resolves inside it; each response schema is
// then compiled as a $ref to its own place in the document.
ajv.addSchema(spec, SPEC_ID);
const validators = new Map();

// Every (method path) whose answer was checked with each status, e.g.
// "get /api/v1/skills/{slug}" → Set {200, 404}.
export const seen = new Map();

const pointerPart = (s) => encodeURIComponent(String(s).replace(/~/g, '~0').replace(/\//g, '~1'));

// The object a local "#/..." reference names, and its JSON pointer.
function deref(node, pointer) {
	while (node && typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
		const parts = node.$ref.slice(2).split('/');
		pointer = '/' + parts.join('/');
		node = parts.reduce((o, p) => o?.[p.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
		assert.ok(node, `unresolved $ref ${pointer}`);
	}
	return { node, pointer };
}

// Path templates, most literal first: /skills/{slug}/archive.zip must win
// over /skills/{slug}/files/{path}, and {path} spans several segments.
const templates = Object.keys(spec.paths).map((t) => {
	const re = new RegExp('^' + t.split(/(\{[^}]+\})/).map((part) => {
		if (part === '{path}')
			return '(.+)';
		if (part.startsWith('{'))
			return '([^/]+)';
		return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
	}).join('') + '$');
	return { template: t, re, literal: t.replace(/\{[^}]+\}/g, '').length };
}).sort((a, b) => b.literal - a.literal);

// The documented path template a request path (no query) falls under, or null.
export function findTemplate(urlPath) {
	const p = urlPath.split('?')[0];
	for (const t of templates)
		if (t.re.test(p))
			return t.template;
	return null;
}

function validatorFor(pointer) {
	let v = validators.get(pointer);
	if (!v) {
		v = ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
		validators.set(pointer, v);
	}
	return v;
}

// Asserts value validates against the schema at pointer in the document.
function assertSchema(pointer, value, what) {
	const v = validatorFor(pointer);
	if (!v(value))
		assert.fail(`${what} does not match ${pointer}:\n` +
			JSON.stringify(v.errors.slice(0, 8), null, 1) + '\n' +
			JSON.stringify(value).slice(0, 400));
}

// The content entry of a response for a Content-Type: exact, then without
// parameters, then type/*, then */*.
function pickContent(content, ctype) {
	const keys = Object.keys(content);
	const norm = (s) => s.toLowerCase().replace(/\s+/g, '');
	const essence = (s) => norm(s).split(';')[0];
	return keys.find((k) => norm(k) === norm(ctype)) ??
		keys.find((k) => essence(k) === essence(ctype)) ??
		keys.find((k) => k === essence(ctype).split('/')[0] + '/*') ??
		keys.find((k) => k === '*/*');
}

const isJsonType = (t) => /^application\/([a-z0-9.+-]+\+)?json$/.test(t);
const isStringSchema = (s) => s && (s.type === 'string' || s.contentMediaType);

/*
 * Checks one answer of skilld against the document. method: the request's
 * method; path: the request path (a query is ignored); res: a fetch
 * Response (status and headers are read, the body is not); body: the body
 * as a Buffer, ArrayBuffer, Uint8Array or string (empty for HEAD and 304).
 * Returns the parsed JSON body when the answer is JSON, else undefined.
 * Throws an AssertionError naming what drifted.
 */
export function checkResponse(method, urlPath, res, body) {
	const m = method.toLowerCase();
	const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body ?? []);
	const where = `${method.toUpperCase()} ${urlPath} → ${res.status}`;
	const template = findTemplate(urlPath);
	let response, pointer;

	if (!template) {
		// Not a documented path: the router's 404.
		assert.equal(res.status, 404, `${where}: undocumented path answered`);
		({ node: response, pointer } = deref({ $ref: '#/components/responses/NotFoundPath' }, null));
	} else {
		const item = spec.paths[template];
		const op = item[m] ?? (m === 'head' ? item.get : undefined);
		if (!op) {
			assert.equal(res.status, 405, `${where}: ${method} is not documented for ${template}`);
			({ node: response, pointer } = deref({ $ref: '#/components/responses/MethodNotAllowed' }, null));
		} else {
			const opName = item[m] ? m : 'get';
			const key = `${m} ${template}`;
			if (!seen.has(key))
				seen.set(key, new Set());
			seen.get(key).add(res.status);
			const r = op.responses[String(res.status)] ?? op.responses.default;
			assert.ok(r, `${where}: status not documented for ${opName} ${template} ` +
				`(documented: ${Object.keys(op.responses).join(', ')})`);
			const base = `/paths/${pointerPart(template)}/${opName}/responses/${pointerPart(op.responses[String(res.status)] ? res.status : 'default')}`;
			({ node: response, pointer } = deref(r, base));
		}
	}

	for (const [name, h0] of Object.entries(response.headers ?? {})) {
		const { node: h, pointer: hp } = deref(h0, `${pointer}/headers/${pointerPart(name)}`);
		const value = res.headers.get(name);
		if (value === null) {
			assert.ok(!h.required, `${where}: required header ${name} is missing`);
			continue;
		}
		if (h.schema)
			assertSchema(`${hp}/schema`, value, `${where}: header ${name}`);
	}

	if (!response.content) {
		assert.equal(bytes.length, 0, `${where}: a body where none is documented`);
		return undefined;
	}
	const ctype = res.headers.get('content-type');
	assert.ok(ctype, `${where}: no Content-Type`);
	const key = pickContent(response.content, ctype);
	assert.ok(key, `${where}: Content-Type ${ctype} not documented ` +
		`(documented: ${Object.keys(response.content).join(', ')})`);
	if (m === 'head')
		return undefined;
	const schema = response.content[key].schema;
	const schemaPointer = `${pointer}/content/${pointerPart(key)}/schema`;
	if (!schema)
		return undefined;
	if (isStringSchema(deref(schema, schemaPointer).node) || !isJsonType(ctype.split(';')[0].trim()))
		return undefined;
	let json;
	try {
		json = JSON.parse(bytes.toString('utf8'));
	} catch (e) {
		assert.fail(`${where}: body is not JSON: ${e.message}`);
	}
	assertSchema(schemaPointer, json, `${where}: body`);
	return json;
}
