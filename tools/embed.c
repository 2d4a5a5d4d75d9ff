/* SPDX-License-Identifier: MIT */
/*
 * embed: a build tool (run on the build host, not part of skilld) that turns
 * asset files into one C source holding each file's bytes as a const
 * unsigned char array, with its name, content type and strong ETag (from
 * SHA-256), as the table that server/assets.c searches (or, with -p
 * migrations, the table of SQL migrations server/db.c applies; with -p docs,
 * the documents the API serves, such as docs/openapi.json). Usage:
 *   embed [-p PREFIX] OUT.c FILE...     (PREFIX: assets, the default, migrations or docs)
 * The output is deterministic: same files, same bytes. Single-threaded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define ETAG_HEX 32 /* as response_etag_hex: the first 32 hex digits, quoted */

/* Content types by file name suffix; a file with none of these is refused
 * so that nothing is ever served with a guessed type. */
static const struct {
	const char *suffix;
	const char *type;
} types[] = {
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".sql", "application/sql" },
};

/* The content type for name, or NULL when its suffix is unknown. */
static const char *content_type(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t s = strlen(types[i].suffix);

		if (n > s && strcmp(name + n - s, types[i].suffix) == 0)
			return types[i].type;
	}
	return NULL;
}

/* Reads the whole file at path into *data (free()) and *len; 0 or -1. */
static int slurp(const char *path, unsigned char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return -1;
	for (;;) {
		size_t got;

		if (n == cap) {
			unsigned char *q = realloc(p, cap ? cap * 2 : 65536);

			if (!q)
				goto fail;
			p = q;
			cap = cap ? cap * 2 : 65536;
		}
		got = fread(p + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	*data = p;
	*len = n;
	return 0;
fail:
	free(p);
	fclose(f);
	return -1;
}

/* Writes the hex SHA-256 of p[0..n) into hex (65 bytes); 0 or -1. */
static int sha256_hex(const unsigned char *p, size_t n, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -1;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* The file name part of path. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* True when name can go into a C string literal and a URL as it is. */
static int name_ok(const char *name)
{
	if (!name[0] || name[0] == '.')
		return 0;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' || *c == '_'))
			return 0;
	return 1;
}

/* Writes file i (path) as array asset_<i>, and its table entry into the
 * entries buffer (a second stream). 0 or -1 with a message. */
static int embed_one(FILE *out, FILE *entries, int i, const char *path)
{
	const char *name = base_name(path);
	const char *type = content_type(name);
	unsigned char *data = NULL;
	size_t len = 0;
	char hex[65];

	if (!name_ok(name) || !type) {
		fprintf(stderr, "embed: %s: unsupported name or type\n", path);
		return -1;
	}
	if (slurp(path, &data, &len) < 0) {
		fprintf(stderr, "embed: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (sha256_hex(data, len, hex) < 0) {
		fprintf(stderr, "embed: %s: SHA-256 failed\n", path);
		free(data);
		return -1;
	}
	fprintf(out, "/* %s, %zu bytes */\nstatic const unsigned char asset_%d[] = {", name, len, i);
	for (size_t k = 0; k < len; k++)
		fprintf(out, "%s0x%02x,", k % 16 == 0 ? "\n\t" : " ", data[k]);
	/* a NUL after the bytes, not counted in len, so text can be printed */
	fprintf(out, "%s0x00\n};\n\n", len % 16 == 0 ? "\n\t" : " ");
	fprintf(entries, "\t{ \"%s\", \"%s\", asset_%d, %zu, \"\\\"%.*s\\\"\" },\n", name, type, i,
		len, ETAG_HEX, hex);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	FILE *out = NULL, *entries = NULL;
	char *table = NULL;
	size_t table_len = 0;
	const char *prefix = "assets";
	int status = 1;

	if (argc > 2 && strcmp(argv[1], "-p") == 0) {
		prefix = argv[2];
		if (strcmp(prefix, "assets") != 0 && strcmp(prefix, "migrations") != 0 &&
		    strcmp(prefix, "review_migrations") != 0 &&
		    strcmp(prefix, "review_pg_migrations") != 0 && strcmp(prefix, "docs") != 0) {
			fprintf(stderr, "embed: -p takes assets, migrations, review_migrations, "
				"review_pg_migrations or docs\n");
			return 2;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: embed [-p assets|migrations|review_migrations|review_pg_migrations|docs] "
			"OUT.c FILE...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		for (int j = 2; j < i; j++)
			if (strcmp(base_name(argv[i]), base_name(argv[j])) == 0) {
				fprintf(stderr, "embed: %s: name given twice\n", argv[i]);
				return 1;
			}
	out = fopen(argv[1], "w");
	entries = open_memstream(&table, &table_len);
	if (!out || !entries) {
		fprintf(stderr, "embed: %s: %s\n", argv[1], strerror(errno));
		goto done;
	}
	fprintf(out, "/* Generated by tools/embed from %s/: do not edit. */\n"
		     "#include \"skilld/base/assets.h\"\n\n", prefix);
	for (int i = 2; i < argc; i++)
		if (embed_one(out, entries, i - 2, argv[i]) < 0)
			goto done;
	if (fclose(entries) != 0) {
		entries = NULL;
		goto done;
	}
	entries = NULL;
	fprintf(out, "extern const struct asset %s_table[];\nextern const size_t %s_table_len;\n\n"
		     "const struct asset %s_table[] = {\n%s\t{ 0, 0, 0, 0, 0 },\n};\n\n"
		     "const size_t %s_table_len = %d;\n", prefix, prefix, prefix, table ? table : "",
		prefix, argc - 2);
	if (fclose(out) != 0) {
		out = NULL;
		fprintf(stderr, "embed: %s: %s\n", argv[1], strerror(errno));
		goto done;
	}
	out = NULL;
	status = 0;
done:
	if (entries)
		fclose(entries);
	if (out)
		fclose(out);
	if (status != 0)
		remove(argv[1]);
	free(table);
	return status;
}
