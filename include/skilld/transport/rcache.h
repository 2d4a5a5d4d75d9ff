/* SPDX-License-Identifier: MIT */
/*
 * rcache: prepared answers of one index generation, by request key. A
 * hash table of opaque values (http.c stores libmicrohttpd responses in
 * it) that belongs to one generation at a time: a put from a newer
 * generation empties it first, and lookups for another generation miss.
 * Values are used only inside rcache_use's callback, under the table's
 * read lock, so a value is never destroyed while a thread is using it;
 * destroy (given at creation) is called when a value leaves the table.
 * Bounded by a number of entries and of bytes; once full, puts are refused
 * until the next generation. A key is stored the second time it is offered
 * (a doorkeeper remembers the hashes of about 64k keys offered once), so
 * requests made once (every unique search, each prefix typed in a search
 * box) do not fill the table and lock out the answers asked for again and
 * again. Thread safe.
 */
#ifndef SKILLD_RCACHE_H
#define SKILLD_RCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rcache;

struct rcache *rcache_new(size_t max_entries, size_t max_bytes, void (*destroy)(void *value));
void rcache_free(struct rcache *c);

/* Calls use(value, arg) with the value of key[0..klen) when the table holds
 * generation and the key; returns what use returned, or -1 on a miss. */
int rcache_use(struct rcache *c, int64_t generation, const char *key, size_t klen,
	       int (*use)(void *value, void *arg), void *arg);

/* Adds value (accounted as bytes) under key for generation. true: the
 * table owns value now. false (the caller keeps it): an older generation,
 * the key is already there, the table is full, or this is the first time
 * the key is offered (recently). */
bool rcache_put(struct rcache *c, int64_t generation, const char *key, size_t klen,
		void *value, size_t bytes);

/* Entries and bytes held now. */
void rcache_stats(struct rcache *c, size_t *entries, size_t *bytes);

#endif
