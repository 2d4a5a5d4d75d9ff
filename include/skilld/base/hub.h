/* SPDX-License-Identifier: MIT */
/*
 * hub: who waits for what. A topic (a review's id, say) has a change
 * counter that hub_notify advances; a waiter parks on a topic and is woken
 * once, at the topic's next change (or hub_wake_all). The live event
 * streams use it: a stream with nothing to send parks (its connection
 * suspended, holding no thread), a write notifies, the stream wakes and
 * reads what changed.
 *
 * No change is ever missed: a reader takes the topic's count before it
 * looks for news, and hub_park refuses to park when the count moved since
 * (the reader looks again). Counters live in a fixed table of buckets by
 * topic hash: two topics in one bucket only cost a spurious wake.
 * Thread safe: one mutex, under which the park and wake callbacks run (so
 * a wake never comes before its park).
 */
#ifndef SKILLD_HUB_H
#define SKILLD_HUB_H

#include <stdbool.h>
#include <stdint.h>

#define HUB_TOPIC_MAX 64

struct hub;

/* A parked waiter, owned by its user; it must stay alive while parked. */
struct hub_waiter {
	char topic[HUB_TOPIC_MAX];
	void (*wake)(void *arg);     /* called once, under the hub's lock */
	void *arg;
	bool parked;
	struct hub_waiter *prev, *next;
};

struct hub *hub_new(void);
/* Frees the hub; nobody may be parked. */
void hub_free(struct hub *h);

/* The change count of topic (0 until its first notify). */
uint64_t hub_count(struct hub *h, const char *topic);

/* Parks w on w->topic and calls park(arg) under the lock (the caller's
 * way of going to sleep, e.g. suspending a connection), unless the
 * topic's count is no longer seen: then false, nothing parked. */
bool hub_park(struct hub *h, struct hub_waiter *w, uint64_t seen, void (*park)(void *arg),
	      void *arg);

/* Advances topic's count and wakes every waiter parked on it. */
void hub_notify(struct hub *h, const char *topic);

/* Wakes every parked waiter (heartbeats, shutdown). The counts stay. */
void hub_wake_all(struct hub *h);

/* Wakes every parked waiter and parks nobody from now on (hub_park
 * returns false): shutdown, where a stream must not go to sleep after the
 * last wake. */
void hub_close(struct hub *h);

/* How many waiters are parked now. */
unsigned hub_parked(struct hub *h);

#endif
