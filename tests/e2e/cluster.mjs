// SPDX-License-Identifier: MIT
// The servers of the cluster test (cluster.test.mjs) other than skilld: a
// throwaway PostgreSQL 15 from Debian's packages (as the postgres user when
// the test runs as root, as tests/pgtest.c does) and nginx with a
// configuration of its own, both on 127.0.0.1, in temporary folders, stopped
// by process id.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HOST, freePort, sleep } from './daemon.mjs';

export const PG_BIN = process.env.SKILLD_PG_BIN || '/usr/lib/postgresql/15/bin';
export const NGINX = process.env.NGINX || '/usr/sbin/nginx';

// The uid and gid to run PostgreSQL as: the postgres user when root.
function pgIds() {
	if (process.getuid() !== 0)
		return {};
	const id = (flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
	return { uid: id('-u'), gid: id('-g') };
}

// Resolves when f() is true (polled every 50 ms), fails after ms.
async function until(f, ms, what) {
	for (const end = Date.now() + ms; !(await f());) {
		assert.ok(Date.now() < end, `${what} within ${ms} ms`);
		await sleep(50);
	}
}

// A PostgreSQL server: initdb in a fresh folder, a role skilld with a random
// password and a database skilld. Returns { uri, port, dir, start(), stop(),
// sql(query) }; sql runs psql and returns the rows of a query as JSON.
export async function startPostgres() {
	const ids = pgIds();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skilld-pg-'));
	const data = path.join(dir, 'data');
	const password = crypto.randomBytes(16).toString('hex');
	const port = await freePort();
	const uri = (db) => `postgresql://skilld:${password}@${HOST}:${port}/${db}`;
	if (ids.uid !== undefined)
		fs.chownSync(dir, ids.uid, ids.gid);
	fs.writeFileSync(path.join(dir, 'pw'), password, { mode: 0o600 });
	if (ids.uid !== undefined)
		fs.chownSync(path.join(dir, 'pw'), ids.uid, ids.gid);
	const init = spawnSync(path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'skilld', `--pwfile=${dir}/pw`,
		'--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
	{ ...ids, cwd: dir, encoding: 'utf8' });
	fs.rmSync(path.join(dir, 'pw'));
	assert.equal(init.status, 0, `initdb: ${init.stdout}${init.stderr}`);

	let child = null, exit = null, log = '';
	const pg = {
		dir, port, uri: uri('skilld'), log: () => log,
		async start() {
			// synchronous_commit stays on (the default): a commit is answered
			// once its WAL is written, so no server restart can lose it.
			// fsync=off only skips waiting for the disk, which matters for a
			// crash of the machine, not of a process.
			child = spawn(path.join(PG_BIN, 'postgres'), ['-D', data, '-p', String(port),
				'-c', `listen_addresses=${HOST}`, '-c', `unix_socket_directories=${dir}`,
				'-c', 'fsync=off', '-c', 'max_connections=100'],
			{ ...ids, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
			child.stdout.on('data', (d) => { log += d; });
			child.stderr.on('data', (d) => { log += d; });
			exit = new Promise((resolve) => child.on('exit', resolve));
			await until(() => spawnSync(path.join(PG_BIN, 'pg_isready'), ['-q', '-h', HOST, '-p', String(port)]).status === 0,
				30000, `PostgreSQL answering on ${port}:\n${log}`);
		},
		// A fast shutdown (SIGINT to the postmaster), as a restart does.
		async stop() {
			if (!child)
				return;
			process.kill(child.pid, 'SIGINT');
			const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
			await exit;
			clearTimeout(timer);
			child = null;
		},
		sql(query, db = 'skilld') {
			const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', uri(db), '-c',
				`SELECT coalesce(json_agg(x), '[]') FROM (${query}) x`], { encoding: 'utf8' });
			assert.equal(r.status, 0, `psql: ${r.stderr}`);
			return JSON.parse(r.stdout);
		},
		exec(statement, db = 'skilld') {
			const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', uri(db), '-c', statement], { encoding: 'utf8' });
			assert.equal(r.status, 0, `psql: ${r.stderr}`);
		},
		async close() {
			await pg.stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
	await pg.start();
	pg.exec('CREATE DATABASE skilld', 'postgres');
	return pg;
}

// nginx in front of the replicas' ports. Why these settings:
// - proxy_next_upstream error timeout: a replica that refuses the
//   connection or does not connect within 1 s is skipped and the request
//   goes to the next one (max_fails=1: then left alone for fail_timeout).
// - no non_idempotent: nginx passes a POST, PATCH or DELETE to the next
//   replica only when it could not be sent to the first (the connection was
//   refused); once it was sent, a reset or a timeout is answered 502/504 and
//   never sent again, because the replica may have committed it before it
//   died, and a second replica would apply it twice (a second review
//   created, a second change in the history). The client finds out with a
//   read or with If-Match.
// - no http_503: a 503 from a replica means the database is away, which
//   another replica shares; it goes to the client with its Retry-After.
// - keepalive to the replicas (HTTP/1.1, Connection cleared), buffering off
//   so that event streams pass at once; Host passed through, so every
//   replica answers for the balancer's name (and pages carry its URL).
// Returns { base, port, pid, log(), stop() }.
export async function startNginx(upstreamPorts) {
	const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'skilld-nginx-'));
	fs.chmodSync(prefix, 0o755);    // workers run as nobody when we are root
	const port = await freePort();
	const conf = path.join(prefix, 'nginx.conf');
	fs.writeFileSync(conf, `daemon off;
worker_processes 2;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path ${prefix}/body;
	proxy_temp_path ${prefix}/proxy;
	fastcgi_temp_path ${prefix}/fastcgi;
	uwsgi_temp_path ${prefix}/uwsgi;
	scgi_temp_path ${prefix}/scgi;
	upstream skilld {
${upstreamPorts.map((p) => `\t\tserver ${HOST}:${p} max_fails=1 fail_timeout=10s;`).join('\n')}
		keepalive 64;
		# below skilld's 30 s idle timeout: nginx never reuses a connection
		# skilld is closing (a POST on it would get 502)
		keepalive_timeout 20s;
	}
	server {
		listen ${HOST}:${port};
		location / {
			proxy_pass http://skilld;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host $http_host;
			proxy_connect_timeout 1s;
			proxy_read_timeout 60s;
			proxy_next_upstream error timeout;
			proxy_next_upstream_tries 3;
			proxy_next_upstream_timeout 5s;
			proxy_buffering off;
		}
	}
}
`);
	let log = '';
	const child = spawn(NGINX, ['-c', conf, '-p', prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout.on('data', (d) => { log += d; });
	child.stderr.on('data', (d) => { log += d; });
	const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
	const base = `http://${HOST}:${port}`;
	const errorLog = () => { try { return fs.readFileSync(path.join(prefix, 'error.log'), 'utf8'); } catch { return ''; } };
	await until(async () => {
		try {
			return (await fetch(`${base}/healthz`)).status === 200;
		} catch {
			return false;
		}
	}, 10000, `nginx answering on ${port}:\n${log}${errorLog()}`);
	return {
		base, port, pid: child.pid, log: () => log + errorLog(),
		// SIGQUIT: a graceful stop (the master waits for its workers).
		async stop() {
			process.kill(child.pid, 'SIGQUIT');
			const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
			const e = await exit;
			clearTimeout(timer);
			fs.rmSync(prefix, { recursive: true, force: true });
			return e;
		},
	};
}
