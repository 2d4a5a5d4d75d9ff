/* SPDX-License-Identifier: MIT */
/* hub: topics, their change counts and the waiters parked on them (hub.h). */
#include "skilld/base/hub.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skilld/base/util.h"

#define HUB_BUCKETS 1024

struct hub {
	pthread_mutex_t lock;
	uint64_t count[HUB_BUCKETS];
	struct hub_waiter *parked;   /* every parked waiter, any topic */
	unsigned n_parked;
	bool closed;                 /* hub_close: nobody parks any more */
};

static unsigned bucket(const char *topic)
{
	uint32_t h = 2166136261u;   /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)topic; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % HUB_BUCKETS;
}

struct hub *hub_new(void)
{
	struct hub *h = xcalloc(1, sizeof(*h));

	pthread_mutex_init(&h->lock, NULL);
	return h;
}

void hub_free(struct hub *h)
{
	if (!h)
		return;
	pthread_mutex_destroy(&h->lock);
	free(h);
}

uint64_t hub_count(struct hub *h, const char *topic)
{
	uint64_t n;

	pthread_mutex_lock(&h->lock);
	n = h->count[bucket(topic)];
	pthread_mutex_unlock(&h->lock);
	return n;
}

bool hub_park(struct hub *h, struct hub_waiter *w, uint64_t seen, void (*park)(void *arg),
	      void *arg)
{
	bool parked = false;

	pthread_mutex_lock(&h->lock);
	if (!h->closed && h->count[bucket(w->topic)] == seen && !w->parked) {
		w->parked = true;
		w->prev = NULL;
		w->next = h->parked;
		if (h->parked)
			h->parked->prev = w;
		h->parked = w;
		h->n_parked++;
		park(arg);
		parked = true;
	}
	pthread_mutex_unlock(&h->lock);
	return parked;
}

/* Takes w off the list and wakes it; the lock is held. */
static void wake_locked(struct hub *h, struct hub_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		h->parked = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
	w->parked = false;
	h->n_parked--;
	w->wake(w->arg);
}

void hub_notify(struct hub *h, const char *topic)
{
	struct hub_waiter *w, *next;

	pthread_mutex_lock(&h->lock);
	h->count[bucket(topic)]++;
	for (w = h->parked; w; w = next) {
		next = w->next;
		if (strcmp(w->topic, topic) == 0)
			wake_locked(h, w);
	}
	pthread_mutex_unlock(&h->lock);
}

void hub_wake_all(struct hub *h)
{
	pthread_mutex_lock(&h->lock);
	while (h->parked)
		wake_locked(h, h->parked);
	pthread_mutex_unlock(&h->lock);
}

void hub_close(struct hub *h)
{
	pthread_mutex_lock(&h->lock);
	h->closed = true;
	while (h->parked)
		wake_locked(h, h->parked);
	pthread_mutex_unlock(&h->lock);
}

unsigned hub_parked(struct hub *h)
{
	unsigned n;

	pthread_mutex_lock(&h->lock);
	n = h->n_parked;
	pthread_mutex_unlock(&h->lock);
	return n;
}
