/* SPDX-License-Identifier: MIT */
/*
 * rcache: a chained hash table (FNV-1a) behind a read-write lock, with a
 * doorkeeper of recently offered key hashes; see rcache.h. Lookups take the
 * read lock, puts and generation changes the write lock.
 */
#include "skilld/transport/rcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/util.h"

#define RCACHE_BUCKETS 4096  /* grows x4 when the load passes 1 */
#define SEEN_SETS 16384      /* the doorkeeper: sets of SEEN_WAYS key hashes */
#define SEEN_WAYS 4

struct rentry {
	struct rentry *next;
	uint64_t hash;
	void *value;
	size_t bytes;
	size_t klen;
	char key[];
};

struct rcache {
	pthread_rwlock_t lock;
	int64_t generation;
	struct rentry **buckets;
	size_t n_buckets;
	size_t entries, bytes;
	size_t max_entries, max_bytes;
	void (*destroy)(void *value);
	/* Hashes of keys offered once and refused (512 KB): a key is stored
	 * the second time it is offered. A set's victim is picked by the
	 * hash's top bits; 0 is an empty way. */
	uint64_t (*seen)[SEEN_WAYS];
};

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct rcache *rcache_new(size_t max_entries, size_t max_bytes, void (*destroy)(void *value))
{
	struct rcache *c = xcalloc(1, sizeof(*c));

	pthread_rwlock_init(&c->lock, NULL);
	c->generation = -1;
	c->n_buckets = RCACHE_BUCKETS;
	c->buckets = xcalloc(c->n_buckets, sizeof(*c->buckets));
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	c->destroy = destroy;
	c->seen = xcalloc(SEEN_SETS, sizeof(*c->seen));
	return c;
}

/* Drops every entry; the write lock is held. */
static void clear(struct rcache *c)
{
	for (size_t i = 0; i < c->n_buckets; i++) {
		struct rentry *e = c->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			c->destroy(e->value);
			free(e);
		}
		c->buckets[i] = NULL;
	}
	c->entries = 0;
	c->bytes = 0;
}

void rcache_free(struct rcache *c)
{
	if (!c)
		return;
	clear(c);
	free(c->buckets);
	free(c->seen);
	pthread_rwlock_destroy(&c->lock);
	free(c);
}

static struct rentry *find(struct rcache *c, uint64_t h, const char *key, size_t klen)
{
	for (struct rentry *e = c->buckets[h & (c->n_buckets - 1)]; e; e = e->next)
		if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
			return e;
	return NULL;
}

int rcache_use(struct rcache *c, int64_t generation, const char *key, size_t klen,
	       int (*use)(void *value, void *arg), void *arg)
{
	uint64_t h = fnv1a(key, klen);
	struct rentry *e;
	int rc = -1;

	pthread_rwlock_rdlock(&c->lock);
	if (c->generation == generation && (e = find(c, h, key, klen)) != NULL)
		rc = use(e->value, arg);
	pthread_rwlock_unlock(&c->lock);
	return rc;
}

/* Four times the buckets; the write lock is held. */
static void grow(struct rcache *c)
{
	size_t n = c->n_buckets * 4;
	struct rentry **b = xcalloc(n, sizeof(*b));

	for (size_t i = 0; i < c->n_buckets; i++) {
		struct rentry *e = c->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->n_buckets = n;
}

/* Was the key with hash h offered before? Records it when not; the write
 * lock is held. */
static bool seen_before(struct rcache *c, uint64_t h)
{
	uint64_t *set, mark;

	/* FNV-1a's middle bits barely change between short keys that end
	 * differently: mixed first (MurmurHash3's 64-bit finaliser). */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	set = c->seen[h & (SEEN_SETS - 1)];
	mark = h ? h : 1;

	for (size_t w = 0; w < SEEN_WAYS; w++)
		if (set[w] == mark)
			return true;
	for (size_t w = 0; w < SEEN_WAYS; w++)
		if (set[w] == 0) {
			set[w] = mark;
			return false;
		}
	set[(h >> 62) % SEEN_WAYS] = mark;
	return false;
}

bool rcache_put(struct rcache *c, int64_t generation, const char *key, size_t klen,
		void *value, size_t bytes)
{
	uint64_t h = fnv1a(key, klen);
	struct rentry *e;
	bool stored = false;

	pthread_rwlock_wrlock(&c->lock);
	if (generation > c->generation) {
		clear(c);
		c->generation = generation;
	}
	if (generation == c->generation && !find(c, h, key, klen) &&
	    c->entries < c->max_entries && bytes <= c->max_bytes - c->bytes &&
	    seen_before(c, h)) {
		e = xmalloc(sizeof(*e) + klen);
		e->hash = h;
		e->value = value;
		e->bytes = bytes;
		e->klen = klen;
		memcpy(e->key, key, klen);
		e->next = c->buckets[h & (c->n_buckets - 1)];
		c->buckets[h & (c->n_buckets - 1)] = e;
		c->entries++;
		c->bytes += bytes;
		if (c->entries > c->n_buckets)
			grow(c);
		stored = true;
	}
	pthread_rwlock_unlock(&c->lock);
	return stored;
}

void rcache_stats(struct rcache *c, size_t *entries, size_t *bytes)
{
	pthread_rwlock_rdlock(&c->lock);
	*entries = c->entries;
	*bytes = c->bytes;
	pthread_rwlock_unlock(&c->lock);
}
