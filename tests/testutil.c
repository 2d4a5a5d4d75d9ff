/* SPDX-License-Identifier: MIT */
/* Helpers shared by the Check suites; see testutil.h. */
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skilld/base/util.h"

char *tu_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (asprintf(&path, "%s/skilld-test-XXXXXX", tmp) < 0)
		abort();
	if (!mkdtemp(path)) {
		perror("mkdtemp");
		abort();
	}
	return path;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tu_rmtree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkparents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			perror(path);
			abort();
		}
		*p = '/';
	}
}

void tu_write(const char *dir, const char *rel, const char *data, size_t len)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, rel) < 0)
		abort();
	mkparents(path);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		perror(path);
		abort();
	}
	fclose(f);
	free(path);
}

void tu_write_str(const char *dir, const char *rel, const char *text)
{
	tu_write(dir, rel, text, strlen(text));
}

char *tu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		perror(path);
		abort();
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			data = realloc(data, cap);
			if (!data)
				abort();
		}
		size_t r = fread(data + n, 1, 4096, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	data[n] = '\0';
	if (len)
		*len = n;
	return data;
}

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

static int tu_connect(unsigned port)
{
	struct sockaddr_in a;
	struct timeval tv = { 10, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

char *tu_http_all(unsigned port, const char *raw, size_t *len)
{
	int fd = tu_connect(port);
	size_t n = strlen(raw), off = 0, used = 0, cap = 4096;
	char *all;
	ssize_t got;

	if (fd < 0)
		return NULL;
	while (off < n) {
		ssize_t w = send(fd, raw + off, n - off, MSG_NOSIGNAL);

		if (w <= 0) {
			close(fd);
			return NULL;
		}
		off += (size_t)w;
	}
	all = malloc(cap);
	while (all && (got = recv(fd, all + used, cap - used - 1, 0)) > 0) {
		used += (size_t)got;
		if (cap - used < 2048) {
			char *bigger = realloc(all, cap * 2);

			if (!bigger) {
				free(all);
				all = NULL;
				break;
			}
			all = bigger;
			cap *= 2;
		}
	}
	close(fd);
	if (!all)
		return NULL;
	all[used] = '\0';
	if (len)
		*len = used;
	return all;
}

int tu_http(unsigned port, const char *raw, struct tu_response *out)
{
	int fd = tu_connect(port);
	size_t cap = 8192, n = 0, want = (size_t)-1;
	char *data, *hend = NULL;
	int head = strncmp(raw, "HEAD ", 5) == 0;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return -1;
	/* Send what the server takes; a server may answer (413) and close
	 * before reading everything, so a failed send still reads the answer. */
	for (size_t sent = 0, len = strlen(raw); sent < len;) {
		ssize_t w = send(fd, raw + sent, len - sent, MSG_NOSIGNAL);

		if (w <= 0)
			break;
		sent += (size_t)w;
	}
	data = malloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 4096 > cap) {
			cap *= 2;
			data = realloc(data, cap);
		}
		r = read(fd, data + n, cap - n - 1);
		if (r <= 0)
			break;
		n += (size_t)r;
		data[n] = '\0';
		if (!hend && (hend = strstr(data, "\r\n\r\n")) != NULL) {
			char *cl = strcasestr(data, "\r\ncontent-length:");
			size_t hlen = (size_t)(hend - data) + 4;

			if (head)
				want = hlen;
			else if (cl && cl < hend)
				want = hlen + strtoul(cl + 17, NULL, 10);
		}
		if (hend && n >= want)
			break;
	}
	close(fd);
	data[n] = '\0';
	hend = strstr(data, "\r\n\r\n");
	if (!hend || sscanf(data, "HTTP/1.%*d %d", &out->status) != 1) {
		free(data);
		return -1;
	}
	out->headers = strndup(data, (size_t)(hend - data) + 2);
	out->body_len = n - ((size_t)(hend - data) + 4);
	out->body = malloc(out->body_len + 1);
	memcpy(out->body, hend + 4, out->body_len);
	out->body[out->body_len] = '\0';
	free(data);
	return 0;
}

int tu_get(unsigned port, const char *path, const char *extra, struct tu_response *out)
{
	char *raw;
	int rc;

	if (asprintf(&raw, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n",
		     path, extra ? extra : "") < 0)
		abort();
	rc = tu_http(port, raw, out);
	free(raw);
	return rc;
}

void tu_response_fini(struct tu_response *r)
{
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

char *tu_header(const struct tu_response *r, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = r->headers; p && *p; ) {
		const char *eol = strstr(p, "\r\n");

		if (!eol)
			break;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			return strndup(v, (size_t)(eol - v));
		}
		p = eol + 2;
	}
	return NULL;
}

unsigned tu_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		abort();
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/un.h>

void tu_mksock(const char *dir, const char *rel)
{
	struct sockaddr_un a;
	char *path;
	int fd;

	if (asprintf(&path, "%s/%s", dir, rel) < 0)
		abort();
	mkparents(path);
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "tu_mksock: %s is too long for a socket path\n", path);
		abort();
	}
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		perror(path);
		abort();
	}
	close(fd); /* the socket file stays */
	free(path);
}

#define DAC_CAPS ((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH))

/* The calling thread's capability sets (both 32-bit words). */
static int caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return (int)syscall(SYS_capget, &h, d);
}

static int caps_set(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return (int)syscall(SYS_capset, &h, d);
}

int tu_dac_drop(void)
{
	struct __user_cap_data_struct d[2];

	if (caps_get(d) != 0)
		return -1;
	d[0].effective &= ~DAC_CAPS;
	if (caps_set(d) != 0 || caps_get(d) != 0)
		return -1;
	return (d[0].effective & DAC_CAPS) ? -1 : 0;
}

int tu_dac_restore(void)
{
	struct __user_cap_data_struct d[2];

	if (caps_get(d) != 0)
		return -1;
	d[0].effective |= d[0].permitted & DAC_CAPS;
	return caps_set(d);
}

int tu_dac_drop_exec(void)
{
	struct __user_cap_data_struct d[2];

	/* root regains its permitted set from the bounding set at exec;
	 * anyone else gains nothing there (and may not change it) */
	if (geteuid() == 0 && (prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) != 0 ||
			       prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0) != 0))
		return -1;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (caps_get(d) != 0)
		return -1;
	d[0].effective &= ~DAC_CAPS;
	d[0].permitted &= ~DAC_CAPS;
	d[0].inheritable &= ~DAC_CAPS;
	return caps_set(d);
}

char *tu_gunzip(const char *p, size_t n, size_t *len)
{
	z_stream z;
	size_t cap = 1 << 20;
	char *out = xmalloc(cap + 1);

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	ck_assert_uint_eq(z.avail_in, 0);
	out[z.total_out] = '\0';
	if (len)
		*len = z.total_out;
	inflateEnd(&z);
	return out;
}
