/* SPDX-License-Identifier: MIT */
/* status: the indexing status board (see status.h). */
#include "skilld/indexing/status.h"

#include <stdio.h>
#include <string.h>

void status_init(struct status_board *b)
{
	memset(&b->st, 0, sizeof(b->st));
	pthread_mutex_init(&b->lock, NULL);
}

void status_fini(struct status_board *b)
{
	pthread_mutex_destroy(&b->lock);
}

void status_indexed(struct status_board *b, const struct index_stats *stats, double secs,
		    bool reload)
{
	pthread_mutex_lock(&b->lock);
	b->st.stats = *stats;
	b->st.index_seconds = secs;
	b->st.indexed_at = time(NULL);
	b->st.reloads += reload;
	b->st.failed_at = 0;
	b->st.error[0] = '\0';
	pthread_mutex_unlock(&b->lock);
}

void status_failed(struct status_board *b, const char *err)
{
	pthread_mutex_lock(&b->lock);
	b->st.failures++;
	b->st.failed_at = time(NULL);
	snprintf(b->st.error, sizeof(b->st.error), "%s", err);
	pthread_mutex_unlock(&b->lock);
}

void status_get(struct status_board *b, struct index_status *out)
{
	pthread_mutex_lock(&b->lock);
	*out = b->st;
	pthread_mutex_unlock(&b->lock);
}
