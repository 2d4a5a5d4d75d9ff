/* SPDX-License-Identifier: MIT */
/*
 * watch: inotify on every folder of the skill roots (see watch.h). The
 * thread owns the inotify descriptor and the table of watched folders; the
 * only other thread that touches the watcher is the one that stops it,
 * through an eventfd.
 */
#include "skilld/indexing/watch.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skilld/base/log.h"
#include "skilld/indexing/scan.h"
#include "skilld/base/util.h"

#define WATCH_MAX_DEPTH 32  /* the scanner's hard depth limit */
#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | \
		    IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct watcher {
	int fd;              /* inotify */
	int stop_fd;         /* eventfd: stop */
	pthread_t thread;
	struct logger *log;
	watch_fn changed;
	void *ctx;
	char **paths;        /* by watch descriptor; NULL when free */
	int *depths;
	size_t cap;
	size_t count;
	bool full_logged;    /* the watch limit was hit and said so */
	char **roots;        /* watched by the thread first */
	size_t n_roots;
	atomic_bool stopping;
};

static void set_path(struct watcher *w, int wd, const char *path, int depth)
{
	if ((size_t)wd >= w->cap) {
		size_t cap = w->cap ? w->cap : 64;

		while (cap <= (size_t)wd)
			cap *= 2;
		w->paths = xrealloc(w->paths, cap * sizeof(*w->paths));
		w->depths = xrealloc(w->depths, cap * sizeof(*w->depths));
		memset(w->paths + w->cap, 0, (cap - w->cap) * sizeof(*w->paths));
		w->cap = cap;
	}
	if (!w->paths[wd])
		w->count++;
	free(w->paths[wd]);
	w->paths[wd] = xstrdup(path);
	w->depths[wd] = depth;
}

/* Watches dir and every folder below it (not following symlinks below the
 * root; the root itself may be one). */
static void add_tree(struct watcher *w, const char *dir, int depth)
{
	DIR *d;
	struct dirent *e;
	int wd;

	wd = inotify_add_watch(w->fd, dir, WATCH_MASK | (depth > 0 ? IN_DONT_FOLLOW : 0));
	if (wd < 0) {
		if ((errno == ENOSPC || errno == ENOMEM) && !w->full_logged) {
			log_msg(w->log, LOG_WARN, "inotify: cannot watch more folders (%s; see "
				"/proc/sys/fs/inotify/max_user_watches): changes below '%s' and "
				"others are not noticed; SIGHUP re-indexes", strerror(errno), dir);
			w->full_logged = true;
		}
		return;
	}
	set_path(w, wd, dir, depth);
	if (depth >= WATCH_MAX_DEPTH || !(d = opendir(dir)))
		return;
	while (!atomic_load(&w->stopping) && (e = readdir(d)) != NULL) {
		char *sub;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    scan_skipped_name(e->d_name))
			continue;
		if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
			continue;
		sub = xasprintf("%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR || (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)))
			add_tree(w, sub, depth + 1);
		free(sub);
	}
	closedir(d);
}

/* Gives back the watches of dir and every folder below it: a folder moved
 * out of the root (a rename inside it watches its new path again on
 * IN_MOVED_TO). Their IN_IGNORED events then find no path. */
static void remove_tree(struct watcher *w, const char *dir)
{
	size_t n = strlen(dir);

	for (size_t wd = 0; wd < w->cap; wd++) {
		const char *p = w->paths[wd];

		if (!p || strncmp(p, dir, n) != 0 || (p[n] != '\0' && p[n] != '/'))
			continue;
		inotify_rm_watch(w->fd, (int)wd);
		free(w->paths[wd]);
		w->paths[wd] = NULL;
		w->count--;
	}
}

static void handle(struct watcher *w, const struct inotify_event *ev)
{
	const char *dir = ev->wd >= 0 && (size_t)ev->wd < w->cap ? w->paths[ev->wd] : NULL;
	char *path;

	if (ev->mask & IN_Q_OVERFLOW) {
		w->changed(w->ctx, "(inotify queue overflow)", false);
		return;
	}
	if (!dir)
		return;
	path = ev->len ? xasprintf("%s/%s", dir, ev->name) : xstrdup(dir);
	if (ev->mask & IN_IGNORED) { /* the folder is gone */
		free(w->paths[ev->wd]);
		w->paths[ev->wd] = NULL;
		w->count--;
	} else if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) && ev->len &&
		   !scan_skipped_name(ev->name)) {
		add_tree(w, path, w->depths[ev->wd] + 1);
	} else if ((ev->mask & IN_ISDIR) && (ev->mask & IN_MOVED_FROM) && ev->len) {
		remove_tree(w, path);
	}
	if (!(ev->len && scan_skipped_name(ev->name)))
		w->changed(w->ctx, path, true);
	free(path);
}

static void *watch_main(void *arg)
{
	struct watcher *w = arg;
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));

	/* The watches are set here, while the caller goes on (a startup
	 * indexes meanwhile). A change to a folder before its watch was set
	 * is not an event: once all are set, one inexact change says that
	 * anything may have changed, so that the caller looks at every
	 * folder once more. */
	for (size_t i = 0; i < w->n_roots && !atomic_load(&w->stopping); i++)
		add_tree(w, w->roots[i], 0);
	if (atomic_load(&w->stopping))
		return NULL;
	log_msg(w->log, LOG_INFO, "watching %zu folders for changes", w->count);
	w->changed(w->ctx, WATCH_SET, false);
	for (;;) {
		struct pollfd pf[2] = { { w->fd, POLLIN, 0 }, { w->stop_fd, POLLIN, 0 } };
		ssize_t n;

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].revents)
			break;
		while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
			for (char *p = buf; p < buf + n;) {
				const struct inotify_event *ev = (const struct inotify_event *)p;

				handle(w, ev);
				p += sizeof(*ev) + ev->len;
			}
		}
	}
	return NULL;
}

/* Closes what w opened and frees it (the thread is not running). */
static void watcher_free(struct watcher *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->stop_fd >= 0)
		close(w->stop_fd);
	for (size_t i = 0; i < w->cap; i++)
		free(w->paths[i]);
	for (size_t i = 0; i < w->n_roots; i++)
		free(w->roots[i]);
	free(w->roots);
	free(w->paths);
	free(w->depths);
	free(w);
}

int watch_start(char *const *roots, size_t n, struct logger *log, watch_fn changed, void *ctx,
		struct watcher **out, char *err, size_t errlen)
{
	struct watcher *w = xcalloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	w->log = log;
	w->changed = changed;
	w->ctx = ctx;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (w->fd < 0 || w->stop_fd < 0) {
		snprintf(err, errlen, "inotify: %s", strerror(errno));
		goto fail;
	}
	atomic_init(&w->stopping, false);
	w->roots = xcalloc(n ? n : 1, sizeof(*w->roots));
	for (size_t i = 0; i < n; i++)
		w->roots[w->n_roots++] = xstrdup(roots[i]);
	rc = pthread_create(&w->thread, NULL, watch_main, w);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the watcher thread: %s", strerror(rc));
		goto fail;
	}
	*out = w;
	return 0;
fail:
	watcher_free(w);
	return -1;
}

void watch_stop(struct watcher *w)
{
	uint64_t one = 1;

	if (!w)
		return;
	atomic_store(&w->stopping, true);
	if (write(w->stop_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		log_msg(w->log, LOG_WARN, "inotify: cannot wake the watcher thread: %s", strerror(errno));
	pthread_join(w->thread, NULL);
	watcher_free(w);
}
