/* SPDX-License-Identifier: MIT */
/*
 * session: browser sessions (see session.h). In memory, a fixed table of
 * buckets, each a list of sessions whose id digest starts with the
 * bucket's bits; one mutex guards it all (a lookup is a few comparisons).
 * Or in the review store's database, for replicas (reviewdb.h).
 */
#include "skilld/store/session.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "skilld/base/util.h"
#include "skilld/store/reviewdb.h"

#define BUCKETS 4096  /* a power of 2: the first three hex digits of a digest */

struct entry {
	struct entry *next;
	char digest[SHA256_HEX_LEN + 1];  /* of the id; the id itself is not kept */
	time_t expires;
};

struct session_store {
	pthread_mutex_t lock;
	unsigned ttl;
	size_t count;
	struct reviewdb *shared;    /* keeps them instead of the buckets, or NULL */
	struct entry *buckets[BUCKETS];
};

struct session_store *session_store_new(unsigned ttl)
{
	struct session_store *s = xcalloc(1, sizeof(*s));

	pthread_mutex_init(&s->lock, NULL);
	s->ttl = ttl;
	return s;
}

struct session_store *session_store_new_shared(unsigned ttl, struct reviewdb *rv)
{
	struct session_store *s = session_store_new(ttl);

	s->shared = rv;
	return s;
}

void session_store_free(struct session_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < BUCKETS; i++) {
		struct entry *e = s->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* The bucket of a hex digest: its first three digits. */
static size_t bucket_of(const char *digest)
{
	size_t b = 0;

	for (int i = 0; i < 3; i++) {
		char c = digest[i];

		b = b << 4 | (size_t)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	return b & (BUCKETS - 1);
}

/* The digest of an id as a cookie carries it; false when it is not 64
 * lowercase hex digits (then it cannot be a session). */
static bool id_digest(const char *id, char digest[SHA256_HEX_LEN + 1])
{
	if (!id || strlen(id) != SESSION_ID_LEN ||
	    strspn(id, "0123456789abcdef") != SESSION_ID_LEN)
		return false;
	sha256_hex(id, SESSION_ID_LEN, digest);
	return true;
}

/* Drops expired sessions; with none expired and the store full, the one
 * closest to expiry. Under the lock. */
static void make_room(struct session_store *s, time_t now)
{
	struct entry **oldest = NULL;

	for (size_t i = 0; i < BUCKETS; i++) {
		for (struct entry **p = &s->buckets[i]; *p;) {
			if ((*p)->expires <= now) {
				struct entry *dead = *p;

				*p = dead->next;
				free(dead);
				s->count--;
				continue;
			}
			if (!oldest || (*p)->expires < (*oldest)->expires)
				oldest = p;
			p = &(*p)->next;
		}
	}
	if (s->count >= SESSION_MAX && oldest) {
		struct entry *dead = *oldest;

		*oldest = dead->next;
		free(dead);
		s->count--;
	}
}

int session_create(struct session_store *s, time_t now, char id[SESSION_ID_LEN + 1])
{
	unsigned char raw[SESSION_ID_LEN / 2];
	struct entry *e;
	size_t b;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -1;
	hex_encode(raw, sizeof(raw), id);
	if (s->shared) {
		char digest[SHA256_HEX_LEN + 1];

		sha256_hex(id, SESSION_ID_LEN, digest);
		return reviewdb_session_put(s->shared, digest, s->ttl) == 0 ? 0 : -1;
	}
	e = xcalloc(1, sizeof(*e));
	sha256_hex(id, SESSION_ID_LEN, e->digest);
	e->expires = now + (time_t)s->ttl;
	b = bucket_of(e->digest);
	pthread_mutex_lock(&s->lock);
	if (s->count >= SESSION_MAX)
		make_room(s, now);
	e->next = s->buckets[b];
	s->buckets[b] = e;
	s->count++;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

bool session_valid(struct session_store *s, const char *id, time_t now)
{
	char digest[SHA256_HEX_LEN + 1];
	bool ok = false;

	if (!id_digest(id, digest))
		return false;
	if (s->shared)
		return reviewdb_session_live(s->shared, digest) == 1;
	pthread_mutex_lock(&s->lock);
	for (struct entry *e = s->buckets[bucket_of(digest)]; e; e = e->next) {
		if (memcmp(e->digest, digest, SHA256_HEX_LEN) == 0) {
			ok = e->expires > now;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}

void session_delete(struct session_store *s, const char *id)
{
	char digest[SHA256_HEX_LEN + 1];

	if (!id_digest(id, digest))
		return;
	if (s->shared) {
		reviewdb_session_end(s->shared, digest);
		return;
	}
	pthread_mutex_lock(&s->lock);
	for (struct entry **p = &s->buckets[bucket_of(digest)]; *p; p = &(*p)->next) {
		if (memcmp((*p)->digest, digest, SHA256_HEX_LEN) == 0) {
			struct entry *dead = *p;

			*p = dead->next;
			free(dead);
			s->count--;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
}

size_t session_count(struct session_store *s)
{
	size_t n;

	if (s->shared) {
		long live = reviewdb_session_count(s->shared);

		return live > 0 ? (size_t)live : 0;
	}
	pthread_mutex_lock(&s->lock);
	n = s->count;
	pthread_mutex_unlock(&s->lock);
	return n;
}

time_t session_clock(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return t.tv_sec;
}
