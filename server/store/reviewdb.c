/* SPDX-License-Identifier: MIT */
/*
 * reviewdb: the review store's one interface (reviewdb.h). Picks the
 * backend by the location given to reviewdb_open and passes every call to
 * it; no state of its own.
 */
#include "skilld/store/reviewcore.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "skilld/base/util.h"

bool reviewdb_is_uri(const char *location)
{
	return str_has_prefix(location, "postgresql://") || str_has_prefix(location, "postgres://");
}

struct reviewdb *reviewdb_open(const char *location, char *err, size_t errlen)
{
	return reviewdb_is_uri(location) ? reviewdb_pg_open(location, err, errlen)
					 : reviewdb_sqlite_open(location, err, errlen);
}

void reviewdb_close(struct reviewdb *rv)
{
	if (rv)
		rv->ops->close(rv);
}

const char *reviewdb_backend(const struct reviewdb *rv)
{
	return rv->ops->name;
}

bool reviewdb_up(struct reviewdb *rv)
{
	return rv->ops->up(rv);
}

int reviewdb_watch(struct reviewdb *rv, void (*changed)(void *arg, const char *id), void *arg,
		   char *err, size_t errlen)
{
	return rv->ops->watch(rv, changed, arg, err, errlen);
}

int reviewdb_backup(struct reviewdb *rv, const char *dest, char *err, size_t errlen)
{
	return rv->ops->backup(rv, dest, err, errlen);
}

int reviewdb_create(struct reviewdb *rv, const struct review_start *s, int64_t now,
		   char id[REVIEW_ID_LEN + 1], char *err, size_t errlen)
{
	return rv->ops->create(rv, s, now, id, err, errlen);
}

int reviewdb_get(struct reviewdb *rv, const char *id, cJSON **out)
{
	return rv->ops->get(rv, id, out);
}

int reviewdb_head(struct reviewdb *rv, const char *id, cJSON **out)
{
	return rv->ops->head(rv, id, out);
}

int reviewdb_list(struct reviewdb *rv, const struct review_filter *f, cJSON **out)
{
	return rv->ops->list(rv, f, out);
}

int reviewdb_write_items(struct reviewdb *rv, const char *id, const struct item_write *w, size_t n,
			int64_t now, cJSON **results, size_t *failed, char *err, size_t errlen)
{
	return rv->ops->write_items(rv, id, w, n, now, results, failed, err, errlen);
}

int reviewdb_edit(struct reviewdb *rv, const char *id, const struct review_edit *e, int64_t now,
		 char *err, size_t errlen)
{
	return rv->ops->edit(rv, id, e, now, err, errlen);
}

int reviewdb_delete(struct reviewdb *rv, const char *id, char *err, size_t errlen)
{
	return rv->ops->remove(rv, id, err, errlen);
}

int reviewdb_events(struct reviewdb *rv, const char *id, int64_t after_seq, long limit,
		   cJSON **out)
{
	return rv->ops->events(rv, id, after_seq, limit, out);
}

bool reviewdb_keeps_sessions(const struct reviewdb *rv)
{
	return rv->ops->sessions != NULL;
}

int reviewdb_session_put(struct reviewdb *rv, const char *digest, unsigned ttl)
{
	assert(rv->ops->sessions);
	return rv->ops->sessions->put(rv, digest, ttl);
}

int reviewdb_session_live(struct reviewdb *rv, const char *digest)
{
	assert(rv->ops->sessions);
	return rv->ops->sessions->live(rv, digest);
}

int reviewdb_session_end(struct reviewdb *rv, const char *digest)
{
	assert(rv->ops->sessions);
	return rv->ops->sessions->end(rv, digest);
}

long reviewdb_session_count(struct reviewdb *rv)
{
	assert(rv->ops->sessions);
	return rv->ops->sessions->count(rv);
}
