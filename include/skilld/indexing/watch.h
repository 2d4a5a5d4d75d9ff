/* SPDX-License-Identifier: MIT */
/*
 * watch: notices changes below the skill roots with inotify. Every folder
 * of every root is watched (recursively, to the scanner's depth limit,
 * skipping what the scanner skips), folders created or moved in later
 * included; any change calls the callback from the watcher's own thread
 * (the caller debounces: a burst of changes calls it many times). When
 * the kernel's watch limit is reached the rest is not watched (logged
 * once): SIGHUP and POST /api/v1/admin/reload still work.
 */
#ifndef SKILLD_WATCH_H
#define SKILLD_WATCH_H

#include <stdbool.h>
#include <stddef.h>

struct logger;
struct watcher;

/* A change at path: exact is true when path names what changed (a file,
 * symlink or folder made, written, deleted, moved, its mode changed; a
 * watched folder gone), false when the kernel's queue overflowed (then
 * path says so, and anything may have changed). */
typedef void (*watch_fn)(void *ctx, const char *path, bool exact);

/* The path of the one inexact change said when the watches are set. */
#define WATCH_SET "(the watches were set while the folders were read)"

/* Starts watching roots[0..n) (paths as given: the changes' paths start
 * with them); changed(ctx, path, exact) for each change. The watches are
 * set by the watcher's thread, while the caller goes on: once they are,
 * changed is called once with exact false (a change before a folder's
 * watch was set was not seen). 0 with *out, or -1 with a message in err
 * (no inotify). */
int watch_start(char *const *roots, size_t n, struct logger *log, watch_fn changed, void *ctx,
		struct watcher **out, char *err, size_t errlen);
/* Stops the thread and frees everything; NULL is fine. */
void watch_stop(struct watcher *w);

#endif
