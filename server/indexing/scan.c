/* SPDX-License-Identifier: MIT */
/*
 * scan: finds skill folders under a root and inventories a skill's files.
 * Walking goes through directory descriptors (openat, fstatat, O_NOFOLLOW),
 * so no path is resolved through a symlink by accident; a symlink is
 * followed only after realpath(3) shows its target inside the root, and the
 * target is then opened beneath the root's descriptor without following any
 * link and checked to be the file that was approved, so swapping a folder
 * for a link between the check and the open leads nowhere. Symlinked
 * folders are walked after the real tree (real paths win), with
 * device+inode pairs breaking cycles. No global state besides the test
 * hooks, which production never sets: any number of scans may run on
 * different threads, each with its own result and diag_list.
 */
#include "skilld/indexing/scan.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "skilld/base/text.h"

#define OPEN_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
/* O_NONBLOCK: a FIFO swapped in after the type check must not hang the scan. */
#define OPEN_FILE_FLAGS (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
/* Folders passed through on the way to a link's target: O_PATH, as a path
 * lookup needs only search permission on them, not read permission. */
#define OPEN_PATH_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
/* What open_beneath returns when the target is not the one approved. */
#define OPEN_CHANGED (-2)

struct scan_test_hooks scan_test_hooks;

/* ---- small helpers ---------------------------------------------------- */

/* a "/" b, either side may be empty; free() the result. */
static char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (la == 0)
		return xstrdup(b);
	if (*b == '\0')
		return xstrdup(a);
	if (a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

/* The last component of a '/' separated path (the path itself if none). */
static const char *path_base(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash && slash[1] ? slash + 1 : p;
}

/* True when real is root or lies below it (both canonical). */
static bool path_inside(const char *root, const char *real)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return real[0] == '/';
	return strncmp(real, root, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

/* Names the skill marker file can have on disk. */
static bool is_skill_md_name(const char *name)
{
	return strcmp(name, "SKILL.md") == 0 || strcmp(name, "skill.md") == 0;
}

bool scan_skipped_name(const char *name)
{
	return strcmp(name, ".git") == 0 || strcmp(name, "node_modules") == 0;
}

/* True when a '/' separated path has a .git or node_modules component. */
static bool path_has_skipped_part(const char *p)
{
	while (*p) {
		size_t n = strcspn(p, "/");
		char part[16];

		if (n < sizeof(part)) {
			memcpy(part, p, n);
			part[n] = '\0';
			if (scan_skipped_name(part))
				return true;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return false;
}

/* A phrase for a file type, for messages ("a directory"). */
static const char *mode_phrase(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISLNK(m))
		return "a symlink";
	if (S_ISREG(m))
		return "a regular file";
	return "an unknown kind of file";
}

/* The text for errno e; uses buf (GNU strerror_r, thread safe). */
static const char *err_text(int e, char *buf, size_t n)
{
	return strerror_r(e, buf, n);
}

/* ---- visited folders -------------------------------------------------- */

struct devino {
	dev_t dev;
	ino_t ino;
	bool used;
};

/* An open-addressing set of (device, inode) pairs; capacity a power of 2. */
struct devino_set {
	struct devino *slots;
	size_t cap;
	size_t len;
};

/* Mixes a pair into a slot index. */
static size_t devino_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev * 0xC2B2AE3D27D4EB4Full;

	return (size_t)(h ^ (h >> 31));
}

/* Places a pair in slots without growing (the caller made room). */
static bool devino_place(struct devino *slots, size_t cap, dev_t dev, ino_t ino)
{
	size_t i = devino_hash(dev, ino) & (cap - 1);

	while (slots[i].used) {
		if (slots[i].dev == dev && slots[i].ino == ino)
			return false;
		i = (i + 1) & (cap - 1);
	}
	slots[i].dev = dev;
	slots[i].ino = ino;
	slots[i].used = true;
	return true;
}

/* Adds a folder; false when it was already there (a cycle or an alias). */
static bool devino_add(struct devino_set *s, dev_t dev, ino_t ino)
{
	if ((s->len + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct devino *slots = xcalloc(cap, sizeof(*slots));

		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i].used)
				devino_place(slots, cap, s->slots[i].dev, s->slots[i].ino);
		free(s->slots);
		s->slots = slots;
		s->cap = cap;
	}
	if (!devino_place(s->slots, s->cap, dev, ino))
		return false;
	s->len++;
	return true;
}

/* ---- folder listing --------------------------------------------------- */

/* A folder's entry: its name, and its type as the folder listing gives
 * it (DT_REG, DT_DIR...; DT_UNKNOWN when the file system does not say). */
struct dent {
	char *name;
	unsigned char type;
};

static int cmp_dent(const void *a, const void *b)
{
	return strcmp(((const struct dent *)a)->name, ((const struct dent *)b)->name);
}

/* Frees an entry list from dir_names. */
static void names_free(struct dent *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i].name);
	free(names);
}

/* Bytes of directory entries read at a time. */
#define DENTS_CHUNK 32768

/*
 * Lists the folder open as dirfd, from its start (dirfd stays open and
 * owned by the caller; it is read with getdents64 directly, which costs a
 * walk of many folders five system calls a folder less than a DIR stream
 * over a duplicate), without "." and "..", sorted bytewise. Returns 0
 * with *out (names_free) and *count, or -1 with errno.
 */
static int dir_names(int dirfd, struct dent **out, size_t *count)
{
	struct dent *v = NULL;
	size_t n = 0, cap = 0;
	char *chunk = xmalloc(DENTS_CHUNK);
	int err = 0;

	for (;;) {
		ssize_t got = getdents64(dirfd, chunk, DENTS_CHUNK);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			err = got < 0 ? errno : 0;
			break;
		}
		for (ssize_t off = 0; off < got;) {
			const struct dirent64 *e = (const struct dirent64 *)(chunk + off);

			off += e->d_reclen;
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[n].name = xstrdup(e->d_name);
			v[n++].type = e->d_type;
		}
	}
	free(chunk);
	if (err) {
		names_free(v, n);
		errno = err;
		return -1;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_dent);
	*out = v;
	*count = n;
	return 0;
}

/* True when the sorted list holds name. */
static bool names_have(const struct dent *names, size_t n, const char *name)
{
	struct dent key = { (char *)name, 0 };

	return n > 0 && bsearch(&key, names, n, sizeof(*names), cmp_dent) != NULL;
}

/* Can the entry be left alone by a search for skill folders: the listing
 * says it is neither a folder nor a symlink (no stat needed)? */
static bool dent_plain(const struct dent *e)
{
	return e->type != DT_UNKNOWN && e->type != DT_DIR && e->type != DT_LNK;
}

/* ---- the walker shared by both scans ---------------------------------- */

/* A symlinked folder inside the root, walked once the real tree is done. */
struct pending {
	char *sub;      /* the link's path below the walk's start */
	char *real;     /* realpath of its target */
	struct stat st; /* the target's metadata when it was checked */
	int depth;      /* depth the target's contents are treated at */
	bool in_skill;  /* the link sits inside a skill folder (scan_root) */
};

struct walker {
	const char *root;    /* realpath of the root: nothing beyond is read */
	int root_fd;         /* the root, open: link targets are opened beneath it */
	const char *base;    /* realpath of the folder the walk starts at */
	const char *prefix;  /* base relative to the root, leads diagnostic paths */
	struct devino_set seen;
	struct pending *queue;
	size_t qhead, qlen, qcap;
	struct diag_list *diags;
	bool *met_link;      /* non-NULL: a symlink is not followed, and
			      * *met_link set instead (root_walk_shared) */
};

/* Prepares w; the strings and root_fd (root, open) are borrowed and must outlive it. */
static void walker_init(struct walker *w, const char *root, int root_fd, const char *base,
			const char *prefix, struct diag_list *diags)
{
	memset(w, 0, sizeof(*w));
	w->root = root;
	w->root_fd = root_fd;
	w->base = base;
	w->prefix = prefix;
	w->diags = diags;
}

/* Frees the visited set and whatever is still queued. */
static void walker_fini(struct walker *w)
{
	for (size_t i = w->qhead; i < w->qlen; i++) {
		free(w->queue[i].sub);
		free(w->queue[i].real);
	}
	free(w->queue);
	free(w->seen.slots);
}

/* Queues a symlinked folder whose target is real (st at check time); takes
 * ownership of real. */
static void walker_defer(struct walker *w, const char *sub, char *real, const struct stat *st,
			 int depth, bool in_skill)
{
	struct pending *p;

	if (w->qlen == w->qcap) {
		w->qcap = w->qcap ? w->qcap * 2 : 8;
		w->queue = xrealloc(w->queue, w->qcap * sizeof(*w->queue));
	}
	p = &w->queue[w->qlen++];
	p->sub = xstrdup(sub);
	p->real = real;
	p->st = *st;
	p->depth = depth;
	p->in_skill = in_skill;
}

/* Takes the oldest queued folder into *p (the caller frees its strings). */
static bool walker_next(struct walker *w, struct pending *p)
{
	if (w->qhead == w->qlen)
		return false;
	*p = w->queue[w->qhead++];
	return true;
}

/* Reports a diagnostic about sub (below the walk's start). */
static void walker_report(const struct walker *w, enum diag_severity sev, const char *code,
			  const char *sub, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void walker_report(const struct walker *w, enum diag_severity sev, const char *code,
			  const char *sub, const char *fmt, ...)
{
	char *path = path_join(w->prefix, sub);
	va_list ap;

	va_start(ap, fmt);
	diag_addv(w->diags, sev, code, path, 0, 0, fmt, ap);
	va_end(ap);
	free(path);
}

/* Marks the folder open as fd visited; false when it was seen already. */
static bool walker_visit(struct walker *w, int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && devino_add(&w->seen, st.st_dev, st.st_ino);
}

enum link_state {
	LINK_INSIDE,      /* target inside the root; *st is the target's */
	LINK_OUTSIDE,     /* target outside the root; *st is the target's */
	LINK_DANGLING,    /* nothing there */
	LINK_LOOP,        /* too many levels of symlinks */
	LINK_UNRESOLVED,  /* another failure (name too long, permissions) */
	LINK_CHANGED,     /* inside, but swapped before it was opened (open_beneath) */
};

/*
 * Resolves the symlink at sub (below the walk's start). On LINK_INSIDE and
 * LINK_OUTSIDE, OUT: *real is the target's realpath (free()) and *st its
 * metadata (only stat, never its bytes); otherwise *real is NULL and OUT:
 * *err holds errno.
 */
static enum link_state link_resolve(const struct walker *w, const char *sub, char **real,
				    struct stat *st, int *err)
{
	char *abs = path_join(w->base, sub);
	char *r = realpath(abs, NULL);
	int e = errno;

	free(abs);
	*real = NULL;
	*err = 0;
	if (!r) {
		*err = e;
		if (e == ENOENT || e == ENOTDIR)
			return LINK_DANGLING;
		return e == ELOOP ? LINK_LOOP : LINK_UNRESOLVED;
	}
	if (stat(r, st) != 0) {
		*err = errno;
		free(r);
		return LINK_UNRESOLVED;
	}
	*real = r;
	return path_inside(w->root, r) ? LINK_INSIDE : LINK_OUTSIDE;
}

/* Reports a symlink that cannot be followed; the message ends with what is done. */
static void report_bad_link(const struct walker *w, enum link_state ls, int err,
			    const char *sub, const char *what)
{
	char eb[128];

	switch (ls) {
	case LINK_OUTSIDE:
		walker_report(w, DIAG_WARNING, "symlink-outside-root", sub,
			      "symlink leads outside the root; %s", what);
		break;
	case LINK_DANGLING:
		walker_report(w, DIAG_WARNING, "symlink-dangling", sub,
			      "symlink points to nothing; %s", what);
		break;
	case LINK_LOOP:
		walker_report(w, DIAG_WARNING, "symlink-loop", sub,
			      "symlink loops back on itself; %s", what);
		break;
	case LINK_UNRESOLVED:
		walker_report(w, DIAG_WARNING, "symlink-unresolved", sub,
			      "symlink cannot be resolved (%s); %s", err_text(err, eb, sizeof(eb)), what);
		break;
	case LINK_CHANGED:
		walker_report(w, DIAG_WARNING, "symlink-changed", sub,
			      "the link's target changed while it was read; %s", what);
		break;
	case LINK_INSIDE:
		assert(!"an inside link is not bad");
		break;
	}
}

/*
 * Opens rel (canonical: no empty, "." or ".." component) below the folder
 * dirfd (borrowed) one component at a time, never following a link: what
 * RESOLVE_NO_SYMLINKS does, for kernels without openat2(2). Returns the
 * descriptor, or -1 with errno (ELOOP or ENOTDIR where a link is met).
 */
static int open_by_parts(int dirfd, const char *rel, int flags)
{
	char *copy = xstrdup(rel);
	char *part = copy, *slash;
	int fd = dirfd, next, err;

	while ((slash = strchr(part, '/')) != NULL) {
		*slash = '\0';
		next = openat(fd, part, OPEN_PATH_FLAGS);
		err = errno;
		if (fd != dirfd)
			close(fd);
		if (next < 0) {
			free(copy);
			errno = err;
			return -1;
		}
		fd = next;
		part = slash + 1;
	}
	next = openat(fd, part, flags);
	err = errno;
	if (fd != dirfd)
		close(fd);
	free(copy);
	errno = err;
	return next;
}

/* Set once the kernel said it has no openat2 (ENOSYS): the call is not
 * tried again in this process (valgrind, old kernels). A fact about the
 * machine, not state of the program: the one static of this module. */
static atomic_bool openat2_missing;

/* openat2(2) of rel beneath dirfd, following no link; -1 with errno, ENOSYS
 * when the headers or the kernel lack it or the tests turned it off. */
static int openat2_beneath(int dirfd, const char *rel, int flags)
{
#ifdef SYS_openat2
	struct open_how how = {
		.flags = (uint64_t)flags,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
	};

	if (!scan_test_hooks.no_openat2 && !atomic_load_explicit(&openat2_missing,
								 memory_order_relaxed)) {
		int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

		if (fd < 0 && errno == ENOSYS)
			atomic_store_explicit(&openat2_missing, true, memory_order_relaxed);
		return fd;
	}
#else
	(void)dirfd;
	(void)rel;
	(void)flags;
#endif
	errno = ENOSYS;
	return -1;
}

/*
 * Opens real, a canonical path inside the root that the scan approved, as
 * a path below the root's descriptor that may hold no link at all (being
 * canonical it held none when checked), so a folder on the way swapped for
 * a symlink since leads nowhere. With want, the file opened must also be
 * that one (device and inode: st from link_resolve). Returns the descriptor
 * (the caller closes it), -1 with errno, or OPEN_CHANGED when a link was
 * met or another file found: the target changed after the check.
 */
static int open_beneath(const struct walker *w, const char *real, int flags,
			const struct stat *want)
{
	const char *rel = real + strlen(w->root);
	struct stat st;
	int fd, err;

	assert(path_inside(w->root, real));
	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		rel = ".";
	if (scan_test_hooks.before_open)
		scan_test_hooks.before_open(real);
	fd = openat2_beneath(w->root_fd, rel, flags);
	/* Kernels before 5.6 (ENOSYS), unknown flags or sizes (EINVAL, E2BIG)
	 * and container seccomp filters that deny new calls (EPERM). */
	if (fd < 0 && (errno == ENOSYS || errno == EINVAL || errno == E2BIG || errno == EPERM))
		fd = open_by_parts(w->root_fd, rel, flags);
	if (fd < 0)
		return errno == ELOOP || errno == EXDEV || errno == ENOTDIR ? OPEN_CHANGED : -1;
	if (!want)
		return fd;
	if (fstat(fd, &st) != 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	if (st.st_dev != want->st_dev || st.st_ino != want->st_ino) {
		close(fd);
		return OPEN_CHANGED;
	}
	return fd;
}

enum md_state {
	MD_ABSENT,
	MD_OK,
	MD_BAD,
};

/*
 * Checks the entry name of the folder dirfd (at dsub below the walk's
 * start) as a skill marker: usable when it is a regular file, directly or
 * through a symlink inside the root, that opens for reading. With report,
 * says why a present one is not usable.
 */
static enum md_state md_check(const struct walker *w, int dirfd, const char *dsub,
			      const char *name, bool report)
{
	enum md_state state = MD_BAD;
	char *sub = path_join(dsub, name);
	char *real = NULL;
	struct stat st;
	char eb[128];
	int fd, err;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		err = errno;
		if (err == ENOENT)
			state = MD_ABSENT;
		else if (report)
			walker_report(w, DIAG_ERROR, "skill-md-unreadable", sub,
				      "%s cannot be examined: %s", name, err_text(err, eb, sizeof(eb)));
		goto out;
	}
	if (S_ISLNK(st.st_mode) && w->met_link) {
		*w->met_link = true;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		enum link_state ls = link_resolve(w, sub, &real, &st, &err);

		if (ls != LINK_INSIDE) {
			if (report)
				report_bad_link(w, ls, err, sub, "not used as the skill file");
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			if (report)
				walker_report(w, DIAG_ERROR, "skill-md-not-regular", sub,
					      "%s links to %s, not a regular file", name, mode_phrase(st.st_mode));
			goto out;
		}
		fd = open_beneath(w, real, OPEN_FILE_FLAGS, &st);
		if (fd == OPEN_CHANGED) {
			if (report)
				report_bad_link(w, LINK_CHANGED, 0, sub, "not used as the skill file");
			goto out;
		}
	} else if (!S_ISREG(st.st_mode)) {
		if (report)
			walker_report(w, DIAG_ERROR, "skill-md-not-regular", sub,
				      "%s is %s, not a regular file", name, mode_phrase(st.st_mode));
		goto out;
	} else {
		fd = openat(dirfd, name, OPEN_FILE_FLAGS);
	}
	if (fd < 0) {
		if (report)
			walker_report(w, DIAG_ERROR, "skill-md-unreadable", sub,
				      "%s cannot be read: %s", name, err_text(errno, eb, sizeof(eb)));
		goto out;
	}
	close(fd);
	state = MD_OK;
out:
	free(real);
	free(sub);
	return state;
}

/* ---- scan_root -------------------------------------------------------- */

struct root_scan {
	struct walker w;
	struct scan_result *out;
	bool linked;    /* a symlink was met (a marker or anything else) */
};

/* An empty result with no root. */
void scan_result_init(struct scan_result *r)
{
	memset(r, 0, sizeof(*r));
}

/* Frees every skill and the root; r is empty afterwards. */
void scan_result_fini(struct scan_result *r)
{
	for (size_t i = 0; i < r->len; i++) {
		free(r->skills[i].dir);
		free(r->skills[i].rel);
		free(r->skills[i].folder);
		free(r->skills[i].skill_md);
	}
	free(r->skills);
	free(r->root);
	scan_result_init(r);
}

/* Bytewise order of skills by rel (qsort). */
static int cmp_skill(const void *a, const void *b)
{
	return strcmp(((const struct scan_skill *)a)->rel, ((const struct scan_skill *)b)->rel);
}

/* Appends the skill at rel whose marker file is skill_md. */
/* Moves the skills of src to the end of dst; src is left without any. */
static void result_take(struct scan_result *dst, struct scan_result *src)
{
	for (size_t i = 0; i < src->len; i++) {
		if (dst->len == dst->cap) {
			dst->cap = dst->cap ? dst->cap * 2 : 16;
			dst->skills = xrealloc(dst->skills, dst->cap * sizeof(*dst->skills));
		}
		dst->skills[dst->len++] = src->skills[i];
	}
	src->len = 0;
}

static void result_push(struct scan_result *r, const char *rel, const char *skill_md)
{
	struct scan_skill *sk;

	if (r->len == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->skills = xrealloc(r->skills, r->cap * sizeof(*r->skills));
	}
	sk = &r->skills[r->len++];
	sk->dir = path_join(r->root, rel);
	sk->rel = xstrdup(rel);
	sk->folder = xstrdup(path_base(*rel ? rel : r->root));
	sk->skill_md = xstrdup(skill_md);
}

/*
 * Decides whether the folder dirfd (at rel, depth) is a skill, reporting
 * broken markers and skills below SCAN_MAX_DEPTH. True when one was added.
 */
static bool root_find_skill(struct root_scan *s, int dirfd, const char *rel, int depth,
			    const struct dent *names, size_t n)
{
	bool upper = names_have(names, n, "SKILL.md");
	bool lower = names_have(names, n, "skill.md");
	enum md_state su = MD_ABSENT, sl = MD_ABSENT;

	if (!upper && !lower)
		return false;
	if (depth > SCAN_MAX_DEPTH) {
		/* Each file is named: a silent skill.md beside a reported
		 * SKILL.md would be a dropped skill file. */
		for (int k = 0; k < 2; k++) {
			const char *file = k == 0 ? "SKILL.md" : "skill.md";
			char *sub;

			if (!(k == 0 ? upper : lower))
				continue;
			sub = path_join(rel, file);
			walker_report(&s->w, DIAG_WARNING, "skill-too-deep", sub,
				      "skill file is %d folder levels below the root; skills are "
				      "searched down to %d levels, so this one is not indexed", depth,
				      SCAN_MAX_DEPTH);
			free(sub);
		}
		return false;
	}
	if (upper)
		su = md_check(&s->w, dirfd, rel, "SKILL.md", true);
	if (lower)
		sl = md_check(&s->w, dirfd, rel, "skill.md", true);
	if (su == MD_OK && sl == MD_OK) {
		char *sub = path_join(rel, "skill.md");

		walker_report(&s->w, DIAG_WARNING, "skill-md-duplicate", sub,
			      "both SKILL.md and skill.md exist; SKILL.md is used");
		free(sub);
	}
	if (su == MD_OK)
		result_push(s->out, rel, "SKILL.md");
	else if (sl == MD_OK)
		result_push(s->out, rel, "skill.md");
	else
		return false;
	return true;
}

static void root_walk(struct root_scan *s, int dirfd, const char *rel, int depth, bool in_skill);

/* Opens the child folder name of dirfd (at rel, depth) and walks it. */
static void root_descend(struct root_scan *s, int dirfd, const char *name, const char *rel,
			 int depth, bool in_skill)
{
	char eb[128];
	int fd;

	if (depth > SCAN_HARD_DEPTH) {
		walker_report(&s->w, DIAG_WARNING, "dir-too-deep", rel,
			      "folder is more than %d levels below the root; not searched",
			      SCAN_HARD_DEPTH);
		return;
	}
	fd = openat(dirfd, name, OPEN_DIR_FLAGS);
	if (fd < 0) {
		if (!in_skill)
			walker_report(&s->w, DIAG_WARNING, "dir-unreadable", rel,
				      "folder cannot be opened: %s", err_text(errno, eb, sizeof(eb)));
		return;
	}
	root_walk(s, fd, rel, depth, in_skill);
	close(fd);
}

/*
 * Handles a symlink met while searching (not a marker file): folders inside
 * the root are queued; problems outside skill folders are reported (inside
 * them scan_skill_files does it).
 */
static void root_link(struct root_scan *s, const char *rel, int depth, bool in_skill)
{
	struct stat st;
	char *real;
	int err;
	enum link_state ls = link_resolve(&s->w, rel, &real, &st, &err);

	switch (ls) {
	case LINK_INSIDE:
		if (S_ISDIR(st.st_mode) && !path_has_skipped_part(real + strlen(s->w.root))) {
			walker_defer(&s->w, rel, real, &st, depth, in_skill);
			return;
		}
		break;
	case LINK_OUTSIDE:
		if (in_skill)
			break;
		if (S_ISDIR(st.st_mode))
			walker_report(&s->w, DIAG_WARNING, "symlink-outside-root", rel,
				      "symlink leads to a folder outside the root; not followed");
		else if (is_skill_md_name(path_base(real)))
			walker_report(&s->w, DIAG_WARNING, "symlink-outside-root", rel,
				      "symlink leads to a skill file outside the root; not followed");
		break;
	default:
		if (!in_skill)
			report_bad_link(&s->w, ls, err, rel, "not followed");
		break;
	}
	free(real);
}

/* Searches the entry e of the folder dirfd (at rel, depth): a folder is
 * walked, a symlink followed or queued. */
static void root_child(struct root_scan *s, int dirfd, const struct dent *e, const char *rel,
		       int depth, bool in_skill)
{
	struct stat st;
	char *child;

	/* Files need no stat: only folders and links lead to skills. */
	if (scan_skipped_name(e->name) || dent_plain(e) ||
	    fstatat(dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	child = path_join(rel, e->name);
	if (S_ISDIR(st.st_mode))
		root_descend(s, dirfd, e->name, child, depth + 1, in_skill);
	else if (S_ISLNK(st.st_mode) && s->w.met_link)
		*s->w.met_link = true;
	else if (S_ISLNK(st.st_mode) && (s->linked = true) && !is_skill_md_name(e->name))
		root_link(s, child, depth + 1, in_skill);
	free(child);
}

/* Searches the folder dirfd (at rel, depth) and everything below it. */
static void root_walk(struct root_scan *s, int dirfd, const char *rel, int depth, bool in_skill)
{
	struct dent *names = NULL;
	size_t n = 0;
	char eb[128];

	if (!walker_visit(&s->w, dirfd))
		return;
	if (dir_names(dirfd, &names, &n) != 0) {
		if (!in_skill)
			walker_report(&s->w, DIAG_WARNING, "dir-unreadable", rel,
				      "folder cannot be listed: %s", err_text(errno, eb, sizeof(eb)));
		return;
	}
	if (root_find_skill(s, dirfd, rel, depth, names, n))
		in_skill = true;
	for (size_t i = 0; i < n; i++)
		root_child(s, dirfd, &names[i], rel, depth, in_skill);
	names_free(names, n);
}

/* Walks the symlinked folders queued so far (and those they queue). */
static void root_drain(struct root_scan *s)
{
	struct pending p;
	char eb[128];

	while (walker_next(&s->w, &p)) {
		int fd;

		if (p.depth > SCAN_HARD_DEPTH) {
			walker_report(&s->w, DIAG_WARNING, "dir-too-deep", p.sub,
				      "folder is more than %d levels below the root; not searched",
				      SCAN_HARD_DEPTH);
		} else if ((fd = open_beneath(&s->w, p.real, OPEN_DIR_FLAGS, &p.st)) == OPEN_CHANGED) {
			if (!p.in_skill)
				report_bad_link(&s->w, LINK_CHANGED, 0, p.sub, "not searched");
		} else if (fd < 0) {
			if (!p.in_skill)
				walker_report(&s->w, DIAG_WARNING, "dir-unreadable", p.sub,
					      "folder cannot be opened: %s",
					      err_text(errno, eb, sizeof(eb)));
		} else {
			root_walk(s, fd, p.sub, p.depth, p.in_skill);
			close(fd);
		}
		free(p.sub);
		free(p.real);
	}
}

/*
 * ---- a root's top folders walked by several threads ----
 *
 * A warm start's scan is a walk of every folder (50,001 for 10,000 skills),
 * one thread's work while the others wait. Threads walk the root's top
 * folders in turns instead (folder i by thread i mod the number of
 * threads), each with its own results, visited set and one diagnostics
 * list per top folder. The outcome is the one walk's, in its order, when
 * no thread met a symlink (the one walk follows those after the real
 * tree, against everything seen so far) and no folder was walked twice
 * (a bind mount seen from two places): else it is thrown away and the root
 * walked by one thread.
 */
#define SHARE_MAX 4

struct share {
	struct root_scan s;          /* its own results and walker */
	struct scan_result out;      /* root borrowed from scan_root's */
	struct diag_list *diags;     /* [i]: those of top folder i (shared array) */
	const struct dent *names;
	size_t n, first, step;
	int dirfd;
	bool in_skill;               /* the root is a skill */
	bool met_link;               /* a symlink was met: the walk stopped */
	struct stat root;
	pthread_t tid;
};

static void *share_main(void *arg)
{
	struct share *sh = arg;

	devino_add(&sh->s.w.seen, sh->root.st_dev, sh->root.st_ino);
	for (size_t i = sh->first; i < sh->n && !sh->met_link; i += sh->step) {
		sh->s.w.diags = &sh->diags[i];
		root_child(&sh->s, sh->dirfd, &sh->names[i], "", 0, sh->in_skill);
	}
	return NULL;
}

/* How many threads walk a root's top folders: the online processors, at
 * most SHARE_MAX. */
static size_t share_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > SHARE_MAX ? SHARE_MAX : (size_t)n;
}

/* Did the shares walk some folder twice (the root aside)? */
static bool shares_overlap(const struct share *sh, size_t n_sh)
{
	struct devino_set all = { 0 };
	bool twice = false;

	for (size_t k = 0; k < n_sh && !twice; k++)
		for (size_t i = 0; i < sh[k].s.w.seen.cap && !twice; i++) {
			const struct devino *d = &sh[k].s.w.seen.slots[i];

			if (d->used && !(d->dev == sh[k].root.st_dev && d->ino == sh[k].root.st_ino))
				twice = !devino_add(&all, d->dev, d->ino);
		}
	free(all.slots);
	return twice;
}

/*
 * Walks the real tree of s's root (open as fd) with threads, into s->out
 * and s->w.diags, as root_walk(s, fd, "", 0, false) would. false, with
 * nothing written, when it did not (one processor, fewer than two top
 * entries, a symlink met, a folder seen twice): the caller walks alone.
 */
static bool root_walk_shared(struct root_scan *s, int fd)
{
	struct share sh[SHARE_MAX];
	struct scan_result top_out;
	struct diag_list top_diags, *diags;
	struct root_scan top;
	struct dent *names = NULL;
	struct stat st;
	size_t n = 0, n_sh = share_threads(), started = 0;
	bool ok;

	if (n_sh < 2 || scan_test_hooks.one_thread || fstat(fd, &st) != 0 ||
	    dir_names(fd, &names, &n) != 0 || n < 2) {
		names_free(names, n);
		return false;
	}
	scan_result_init(&top_out);
	top_out.root = s->out->root;
	diag_list_init(&top_diags);
	walker_init(&top.w, s->w.root, fd, s->w.base, "", &top_diags);
	top.out = &top_out;
	top.linked = false;
	top.w.met_link = &top.linked;
	diags = xcalloc(n, sizeof(*diags));
	root_find_skill(&top, fd, "", 0, names, n);
	for (size_t k = 0; k < n_sh; k++) {
		struct share *h = &sh[k];

		memset(h, 0, sizeof(*h));
		scan_result_init(&h->out);
		h->out.root = s->out->root;
		walker_init(&h->s.w, s->w.root, fd, s->w.base, "", NULL);
		h->s.w.met_link = &h->met_link;
		h->s.out = &h->out;
		h->diags = diags;
		h->names = names;
		h->n = n;
		h->first = k;
		h->step = n_sh;
		h->dirfd = fd;
		h->in_skill = top_out.len > 0;
		h->root = st;
		if (pthread_create(&h->tid, NULL, share_main, h) != 0)
			break;
		started++;
	}
	for (size_t k = 0; k < started; k++)
		pthread_join(sh[k].tid, NULL);
	ok = started == n_sh && !top.linked;
	for (size_t k = 0; k < started && ok; k++)
		ok = !sh[k].met_link && !sh[k].s.linked;
	ok = ok && !shares_overlap(sh, started);
	if (ok) {
		atomic_fetch_add(&scan_test_hooks.shared, 1);
		diag_list_move(s->w.diags, &top_diags);
		for (size_t i = 0; i < n; i++)
			diag_list_move(s->w.diags, &diags[i]);
		result_take(s->out, &top_out);
		for (size_t k = 0; k < started; k++)
			result_take(s->out, &sh[k].out);
	}
	for (size_t k = 0; k < started; k++) {
		sh[k].out.root = NULL;
		scan_result_fini(&sh[k].out);
		walker_fini(&sh[k].s.w);
	}
	for (size_t i = 0; i < n; i++)
		diag_list_fini(&diags[i]);
	free(diags);
	top_out.root = NULL;
	scan_result_fini(&top_out);
	diag_list_fini(&top_diags);
	walker_fini(&top.w);
	names_free(names, n);
	return ok;
}

/* Real tree first, then the symlinked folders it queued; see scan.h. */
int scan_root(const char *root, struct scan_result *out, struct diag_list *diags)
{
	struct root_scan s;
	char eb[128];
	char *real;
	int fd;

	assert(root && out && diags);
	real = realpath(root, NULL);
	fd = real ? open(real, OPEN_DIR_FLAGS) : -1;
	if (fd < 0) {
		diag_add(diags, DIAG_ERROR, "root-unreadable", NULL, 0, 0,
			 "skills root %s cannot be %s: %s", root, real ? "opened" : "resolved",
			 err_text(errno, eb, sizeof(eb)));
		free(real);
		return -1;
	}
	free(out->root);
	out->root = real;
	s.out = out;
	s.linked = false;
	walker_init(&s.w, real, fd, real, "", diags);
	if (!root_walk_shared(&s, fd)) {
		/* its listing moved fd's offset: the walk lists it again */
		lseek(fd, 0, SEEK_SET);
		root_walk(&s, fd, "", 0, false);
		root_drain(&s);
	}
	walker_fini(&s.w);
	close(fd);
	if (out->len > 1)
		qsort(out->skills, out->len, sizeof(*out->skills), cmp_skill);
	out->linked = s.linked;
	return 0;
}

static bool rel_is_clean(const char *rel);

int scan_subtree(const char *root, const char *rel, struct scan_result *out,
		 struct diag_list *diags)
{
	struct root_scan s = { .out = out };
	char *real = realpath(root, NULL), *dir;
	int root_fd, fd = -1, depth = 1, rc = -1;

	assert(root && rel && out && diags);
	if (!real || !rel_is_clean(rel) || !*rel) {
		free(real);
		return -1;
	}
	for (const char *p = rel; *p; p++)
		depth += *p == '/';
	root_fd = depth <= SCAN_HARD_DEPTH ? open(real, OPEN_DIR_FLAGS) : -1;
	free(out->root);
	out->root = real;
	if (root_fd < 0)
		return -1;
	walker_init(&s.w, real, root_fd, real, "", diags);
	dir = path_join(real, rel);
	fd = open_beneath(&s.w, dir, OPEN_DIR_FLAGS, NULL);
	free(dir);
	if (fd >= 0) {
		root_walk(&s, fd, rel, depth, false);
		root_drain(&s);
		close(fd);
		rc = 0;
	}
	walker_fini(&s.w);
	close(root_fd);
	if (out->len > 1)
		qsort(out->skills, out->len, sizeof(*out->skills), cmp_skill);
	out->linked = s.linked;
	return rc;
}

/* ---- streaming UTF-8 check -------------------------------------------- */

/* Validates a byte stream chunk by chunk; a sequence cut by a chunk edge waits in carry. */
struct utf8_stream {
	unsigned char carry[4];
	size_t carry_len;
	bool ok;
};

/* Feeds the next n bytes. */
static void utf8_feed(struct utf8_stream *u, const unsigned char *p, size_t n)
{
	size_t end = n, j = n;

	if (!u->ok)
		return;
	if (u->carry_len > 0) {
		size_t need = utf8_seq_len(u->carry[0]);
		size_t take = need - u->carry_len < n ? need - u->carry_len : n;

		memcpy(u->carry + u->carry_len, p, take);
		u->carry_len += take;
		p += take;
		n -= take;
		end = j = n;
		if (u->carry_len < need)
			return;
		if (!utf8_valid((const char *)u->carry, need)) {
			u->ok = false;
			return;
		}
		u->carry_len = 0;
	}
	while (j > 0 && n - j < 3 && (p[j - 1] & 0xC0) == 0x80)
		j--;
	if (j > 0 && j - 1 + utf8_seq_len(p[j - 1]) > n)
		end = j - 1;
	if (!utf8_valid((const char *)p, end)) {
		u->ok = false;
		return;
	}
	memcpy(u->carry, p + end, n - end);
	u->carry_len = n - end;
}

/* ---- scan_skill_files ------------------------------------------------- */

struct file_scan {
	struct walker w;
	struct file_list *out;
	size_t max_content;
	unsigned char *chunk;  /* SCAN_CHUNK bytes, reused for every read */
	struct sha256_ctx *stamp;  /* set: scan_skill_stamp, which reads no file */
	bool linked;               /* a symlink was met */
};

/* An empty list. */
void file_list_init(struct file_list *l)
{
	memset(l, 0, sizeof(*l));
}

/* Frees every path and content; l is empty afterwards. */
void file_list_fini(struct file_list *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->items[i].path);
		free(l->items[i].content);
	}
	free(l->items);
	file_list_init(l);
}

/* Bytewise order of files by path (qsort). */
static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct skill_file *)a)->path, ((const struct skill_file *)b)->path);
}

/* Bytewise comparison of a path with a file (bsearch). */
static int cmp_path_file(const void *key, const void *item)
{
	return strcmp((const char *)key, ((const struct skill_file *)item)->path);
}

/* Binary search: the list is sorted by path. */
const struct skill_file *file_list_find(const struct file_list *l, const char *path)
{
	if (l->len == 0)
		return NULL;
	return bsearch(path, l->items, l->len, sizeof(*l->items), cmp_path_file);
}

/* Hashes `path\0hexdigest\n` per file, in list order (sorted); a file
 * without a digest (over the limit) gives `path\0size:<bytes>\n`. */
void file_list_digest(const struct file_list *l, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx *c = sha256_begin();

	for (size_t i = 0; i < l->len; i++) {
		const struct skill_file *f = &l->items[i];

		sha256_update(c, f->path, strlen(f->path) + 1);
		if (f->digest[0]) {
			sha256_update(c, f->digest, SHA256_HEX_LEN);
		} else {
			char size[32];
			int n = snprintf(size, sizeof(size), "size:%llu", (unsigned long long)f->size);

			sha256_update(c, size, (size_t)n);
		}
		sha256_update(c, "\n", 1);
	}
	sha256_end(c, hex);
}

/* Feeds one file's identity into the stamp: its path and what stat says
 * of it (device, inode, mode, size, modification and change times). */
static void stamp_file(struct file_scan *f, const char *sub, const struct stat *st)
{
	const int64_t id[] = { (int64_t)st->st_dev, (int64_t)st->st_ino, (int64_t)st->st_mode,
			       (int64_t)st->st_size, (int64_t)st->st_mtim.tv_sec,
			       (int64_t)st->st_mtim.tv_nsec, (int64_t)st->st_ctim.tv_sec,
			       (int64_t)st->st_ctim.tv_nsec };

	sha256_update(f->stamp, sub, strlen(sub) + 1);
	sha256_update(f->stamp, id, sizeof(id));
}

/*
 * Reads the regular file open as fd (closed here) into a new entry at sub.
 * A file within max_content is read whole: every byte feeds the digest and
 * the text check, and its contents are kept. One over it (by fstat, or
 * found growing past it while read) is read no further than the chunk that
 * showed it: the text flag is judged from the bytes read, and neither
 * contents nor digest are kept. Unreadable files are reported and left out.
 */
static void files_add_fd(struct file_scan *f, int fd, const char *sub)
{
	struct sha256_ctx *sha = NULL;
	struct utf8_stream u = { .ok = true };
	struct skill_file *item;
	struct stat st;
	char *content = NULL;
	size_t cap = 0;
	uint64_t total = 0, size;
	bool over, nul = false;
	char eb[128], unused[SHA256_HEX_LEN + 1];

	if (f->stamp && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		stamp_file(f, sub, &st);
		close(fd);
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		walker_report(&f->w, DIAG_WARNING, "file-not-regular", sub,
			      "not a regular file any more; left out");
		close(fd);
		return;
	}
	over = st.st_size < 0 || (uint64_t)st.st_size > f->max_content;
	if (!over) {
		cap = (size_t)st.st_size + 1;
		content = xmalloc(cap);
		sha = sha256_begin();
	}
	for (;;) {
		ssize_t r = read(fd, f->chunk, SCAN_CHUNK);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			walker_report(&f->w, DIAG_WARNING, "file-unreadable", sub,
				      "file cannot be read: %s; left out", err_text(errno, eb, sizeof(eb)));
			goto fail;
		}
		if (r == 0)
			break;
		utf8_feed(&u, f->chunk, (size_t)r);
		if (!nul && memchr(f->chunk, '\0', (size_t)r))
			nul = true;
		if (!over && total + (uint64_t)r > f->max_content)
			over = true;  /* it grew past the limit while being read */
		if (!over) {
			sha256_update(sha, f->chunk, (size_t)r);
			if (total + (size_t)r + 1 > cap) {
				cap = (size_t)total + (size_t)r + 1;
				content = xrealloc(content, cap);
			}
			memcpy(content + total, f->chunk, (size_t)r);
		}
		total += (uint64_t)r;
		if (over)
			break;
	}
	size = total;
	if (over) {
		/* the size it has now, when more than was read */
		if (fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size > size)
			size = (uint64_t)st.st_size;
		free(content);
		content = NULL;
		if (sha)
			sha256_end(sha, unused);
		sha = NULL;
	}
	close(fd);

	if (f->out->len == f->out->cap) {
		f->out->cap = f->out->cap ? f->out->cap * 2 : 32;
		f->out->items = xrealloc(f->out->items, f->out->cap * sizeof(*f->out->items));
	}
	item = &f->out->items[f->out->len++];
	memset(item, 0, sizeof(*item));
	item->path = xstrdup(sub);
	item->kind = file_kind_of(sub);
	item->size = size;
	item->mtime = (int64_t)st.st_mtim.tv_sec;
	/* A sequence cut by the end of what was read is not an error when the
	 * file goes on. */
	item->text = u.ok && !nul && (u.carry_len == 0 || total < size);
	item->mime = file_mime_of(sub, item->text);
	if (!over) {
		sha256_end(sha, item->digest);
		content[total] = '\0';
		item->content = content;
		item->content_len = (size_t)total;
	} else {
		walker_report(&f->w, DIAG_WARNING, "file-too-large", sub,
			      "file is %llu bytes, over the %zu-byte limit; listed without its "
			      "contents or digest", (unsigned long long)size, f->max_content);
	}
	return;
fail:
	if (sha)
		sha256_end(sha, unused);
	free(content);
	close(fd);
}

/* True when the folder fd (at sub) holds a usable skill marker: a nested skill. */
static bool files_holds_skill(const struct file_scan *f, int fd, const char *sub)
{
	return md_check(&f->w, fd, sub, "SKILL.md", false) == MD_OK ||
	       md_check(&f->w, fd, sub, "skill.md", false) == MD_OK;
}

static int files_walk(struct file_scan *f, int dirfd, const char *sub, int depth, bool nested,
		      bool visit);

/* Reports a folder that cannot be opened or listed. */
static void files_dir_unreadable(struct file_scan *f, const char *sub, int err)
{
	char eb[128];

	walker_report(&f->w, DIAG_WARNING, "dir-unreadable", sub,
		      "folder cannot be read: %s; its files are left out", err_text(err, eb, sizeof(eb)));
}

/* Reports a folder beyond SCAN_HARD_DEPTH below the skill. */
static void files_too_deep(struct file_scan *f, const char *sub)
{
	walker_report(&f->w, DIAG_WARNING, "dir-too-deep", sub,
		      "folder is more than %d levels below the skill folder; its files are left out",
		      SCAN_HARD_DEPTH);
}

/* Lists the child folder name of dirfd (at sub, depth) unless it is a nested skill. */
static void files_subdir(struct file_scan *f, int dirfd, const char *name, const char *sub, int depth)
{
	int fd;

	if (depth > SCAN_HARD_DEPTH) {
		files_too_deep(f, sub);
		return;
	}
	fd = openat(dirfd, name, OPEN_DIR_FLAGS);
	if (fd < 0) {
		files_dir_unreadable(f, sub, errno);
		return;
	}
	if (files_walk(f, fd, sub, depth, true, true) != 0)
		files_dir_unreadable(f, sub, errno);
	close(fd);
}

/* Handles a symlink at sub: files inside the root are read through, folders queued. */
static void files_link(struct file_scan *f, const char *sub, int depth)
{
	struct stat st;
	char *real;
	char eb[128];
	int err, fd;
	enum link_state ls = link_resolve(&f->w, sub, &real, &st, &err);

	f->linked = true;
	if (ls != LINK_INSIDE) {
		report_bad_link(&f->w, ls, err, sub, "left out");
	} else if (S_ISREG(st.st_mode)) {
		fd = open_beneath(&f->w, real, OPEN_FILE_FLAGS, &st);
		if (fd == OPEN_CHANGED)
			report_bad_link(&f->w, LINK_CHANGED, 0, sub, "left out");
		else if (fd < 0)
			walker_report(&f->w, DIAG_WARNING, "file-unreadable", sub,
				      "file cannot be opened: %s; left out", err_text(errno, eb, sizeof(eb)));
		else
			files_add_fd(f, fd, sub);
	} else if (S_ISDIR(st.st_mode)) {
		if (!path_has_skipped_part(real + strlen(f->w.root))) {
			walker_defer(&f->w, sub, real, &st, depth, true);
			return;
		}
	} else {
		walker_report(&f->w, DIAG_WARNING, "file-not-regular", sub,
			      "symlink to %s; only regular files are listed", mode_phrase(st.st_mode));
	}
	free(real);
}

/*
 * Lists the folder dirfd (at sub, depth below the skill). With nested, a
 * folder that holds a usable skill marker (a nested skill) is left out;
 * with visit, so is one already listed (walker_visit), silently. The
 * marker is looked for in the listing first: a stat of both names in
 * every folder would be most of a stamp's cost. Returns 0, or -1 with
 * errno when the folder cannot be listed (not reported here).
 */
static int files_walk(struct file_scan *f, int dirfd, const char *sub, int depth, bool nested,
		      bool visit)
{
	struct dent *names = NULL;
	size_t n = 0;
	char eb[128];

	if (dir_names(dirfd, &names, &n) != 0)
		return -1;
	if ((nested && (names_have(names, n, "SKILL.md") || names_have(names, n, "skill.md")) &&
	     files_holds_skill(f, dirfd, sub)) ||
	    (visit && !walker_visit(&f->w, dirfd))) {
		names_free(names, n);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = names[i].name;
		struct stat st;
		char *child;
		int fd;

		if (scan_skipped_name(name) || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		child = path_join(sub, name);
		if (!utf8_valid(name, strlen(name))) {
			/* No URL can name it (the router refuses invalid UTF-8), and
			 * its repaired form could equal another file's path. */
			walker_report(&f->w, DIAG_WARNING, "file-name-invalid", child,
				      "name is not valid UTF-8; left out");
		} else if (S_ISDIR(st.st_mode)) {
			files_subdir(f, dirfd, name, child, depth + 1);
		} else if (S_ISREG(st.st_mode) && f->stamp) {
			/* whether a marker opens is not asked: a change to
			 * its mode changes its ctime */
			stamp_file(f, child, &st);
		} else if (is_skill_md_name(name) && md_check(&f->w, dirfd, sub, name, false) != MD_OK) {
			/* a broken marker: scan_root names it */
		} else if (S_ISREG(st.st_mode)) {
			fd = openat(dirfd, name, OPEN_FILE_FLAGS);
			if (fd < 0)
				walker_report(&f->w, DIAG_WARNING, "file-unreadable", child,
					      "file cannot be opened: %s; left out",
					      err_text(errno, eb, sizeof(eb)));
			else
				files_add_fd(f, fd, child);
		} else if (S_ISLNK(st.st_mode)) {
			files_link(f, child, depth + 1);
		} else {
			walker_report(&f->w, DIAG_WARNING, "file-not-regular", child,
				      "%s; only regular files are listed", mode_phrase(st.st_mode));
		}
		free(child);
	}
	names_free(names, n);
	return 0;
}

/* Lists the symlinked folders queued so far (and those they queue). */
static void files_drain(struct file_scan *f)
{
	struct pending p;

	while (walker_next(&f->w, &p)) {
		int fd;

		if (p.depth > SCAN_HARD_DEPTH) {
			files_too_deep(f, p.sub);
		} else if ((fd = open_beneath(&f->w, p.real, OPEN_DIR_FLAGS, &p.st)) == OPEN_CHANGED) {
			report_bad_link(&f->w, LINK_CHANGED, 0, p.sub, "left out");
		} else if (fd < 0) {
			files_dir_unreadable(f, p.sub, errno);
		} else {
			if (!walker_visit(&f->w, fd))
				walker_report(&f->w, DIAG_WARNING, "symlink-repeat", p.sub,
					      "symlink leads to a folder already listed; not followed again");
			else if (files_walk(f, fd, p.sub, p.depth, true, false) != 0)
				files_dir_unreadable(f, p.sub, errno);
			close(fd);
		}
		free(p.sub);
		free(p.real);
	}
}

/* True when rel is a plain relative path: no empty, "." or ".." component. */
static bool rel_is_clean(const char *rel)
{
	while (*rel) {
		size_t n = strcspn(rel, "/");

		if (n == 0 || (n == 1 && rel[0] == '.') || (n == 2 && rel[0] == '.' && rel[1] == '.'))
			return false;
		rel += n;
		if (*rel == '/' && *++rel == '\0')
			return false;
	}
	return true;
}

/* dir below root as a clean relative path, or NULL; free() the result. */
static char *rel_strip(const char *root, const char *dir)
{
	size_t n = strlen(root);
	const char *rest;
	char *rel;

	while (n > 0 && root[n - 1] == '/')
		n--;
	if (strncmp(dir, root, n) != 0 || (dir[n] != '\0' && dir[n] != '/'))
		return NULL;
	rest = dir + n;
	while (*rest == '/')
		rest++;
	n = strlen(rest);
	while (n > 0 && rest[n - 1] == '/')
		n--;
	rel = xstrndup(rest, n);
	if (!rel_is_clean(rel)) {
		free(rel);
		return NULL;
	}
	return rel;
}

/*
 * The skill folder relative to the root for diagnostic paths: from the
 * names as given when they line up (keeps a symlinked skill's own path),
 * else from the real paths. free() the result.
 */
static char *skill_prefix(const char *root, const char *root_real, const char *dir,
			  const char *dir_real)
{
	char *rel = rel_strip(root, dir);

	if (!rel)
		rel = rel_strip(root_real, dir);
	if (!rel)
		rel = rel_strip(root_real, dir_real);
	return rel ? rel : xstrdup("");
}

/* Checks skill_dir lies inside root, then lists it (stamp NULL) or feeds
 * each file's identity into stamp; see scan.h. */
static int files_scan(const char *root, const char *skill_dir, size_t max_content,
		      struct file_list *out, struct diag_list *diags, struct sha256_ctx *stamp,
		      bool *linked)
{
	struct file_scan f;
	char *root_real = NULL, *dir_real = NULL, *prefix = NULL;
	char eb[128];
	int root_fd = -1, fd = -1, rc = -1;

	assert(root && skill_dir && out && diags);
	memset(&f, 0, sizeof(f));
	root_real = realpath(root, NULL);
	if (!root_real) {
		diag_add(diags, DIAG_ERROR, "skill-dir-unreadable", NULL, 0, 0,
			 "skills root %s cannot be resolved: %s", root, err_text(errno, eb, sizeof(eb)));
		goto out;
	}
	dir_real = realpath(skill_dir, NULL);
	if (!dir_real) {
		diag_add(diags, DIAG_ERROR, "skill-dir-unreadable", NULL, 0, 0,
			 "skill folder %s cannot be resolved: %s", skill_dir,
			 err_text(errno, eb, sizeof(eb)));
		goto out;
	}
	if (!path_inside(root_real, dir_real)) {
		diag_add(diags, DIAG_ERROR, "skill-dir-outside-root", NULL, 0, 0,
			 "skill folder %s is outside the root %s; not read", skill_dir, root);
		goto out;
	}
	prefix = skill_prefix(root, root_real, skill_dir, dir_real);
	root_fd = open(root_real, OPEN_DIR_FLAGS);
	if (root_fd < 0) {
		diag_add(diags, DIAG_ERROR, "skill-dir-unreadable", NULL, 0, 0,
			 "skills root %s cannot be opened: %s", root, err_text(errno, eb, sizeof(eb)));
		goto out;
	}
	walker_init(&f.w, root_real, root_fd, dir_real, prefix, diags);
	fd = open_beneath(&f.w, dir_real, OPEN_DIR_FLAGS, NULL);
	if (fd == OPEN_CHANGED) {
		fd = -1;
		diag_add(diags, DIAG_ERROR, "skill-dir-unreadable", prefix, 0, 0,
			 "skill folder changed while it was opened (a folder on its path is now a "
			 "symlink); not read");
		goto out;
	}
	if (fd < 0) {
		diag_add(diags, DIAG_ERROR, "skill-dir-unreadable", prefix, 0, 0,
			 "skill folder cannot be opened: %s", err_text(errno, eb, sizeof(eb)));
		goto out;
	}
	f.out = out;
	f.max_content = max_content;
	f.stamp = stamp;
	f.chunk = stamp ? NULL : xmalloc(SCAN_CHUNK);
	walker_visit(&f.w, fd);
	if (files_walk(&f, fd, "", 0, false, false) != 0) {
		diag_add(diags, DIAG_ERROR, "skill-dir-unreadable", prefix, 0, 0,
			 "skill folder cannot be listed: %s", err_text(errno, eb, sizeof(eb)));
		goto out;
	}
	files_drain(&f);
	if (out->len > 1)
		qsort(out->items, out->len, sizeof(*out->items), cmp_file);
	rc = 0;
out:
	if (linked)
		*linked = f.linked;
	walker_fini(&f.w);
	free(f.chunk);
	if (fd >= 0)
		close(fd);
	if (root_fd >= 0)
		close(root_fd);
	free(prefix);
	free(dir_real);
	free(root_real);
	return rc;
}

int scan_skill_files(const char *root, const char *skill_dir, size_t max_content,
		     struct file_list *out, struct diag_list *diags)
{
	return files_scan(root, skill_dir, max_content, out, diags, NULL, NULL);
}

int scan_skill_stamp(const char *root, const char *skill_dir, char hex[SHA256_HEX_LEN + 1],
		     bool *linked)
{
	struct sha256_ctx *c = sha256_begin();
	struct file_list none;
	struct diag_list diags;
	int rc;

	file_list_init(&none);
	diag_list_init(&diags);
	rc = files_scan(root, skill_dir, 0, &none, &diags, c, linked);
	/* What could not be listed is part of what was seen. */
	for (size_t i = 0; i < diags.len; i++) {
		const struct diag *d = &diags.items[i];

		sha256_update(c, d->code, strlen(d->code) + 1);
		sha256_update(c, d->path ? d->path : "", strlen(d->path ? d->path : "") + 1);
	}
	sha256_end(c, hex);
	diag_list_fini(&diags);
	file_list_fini(&none);
	if (rc != 0)
		hex[0] = '\0';
	return rc;
}

/* ---- kinds and MIME types --------------------------------------------- */

/* Stable lower-case names, used in JSON. */
const char *file_kind_name(enum file_kind k)
{
	static const char *const names[] = {
		[FILE_SKILL] = "skill",
		[FILE_REFERENCE] = "reference",
		[FILE_CHECKLIST] = "checklist",
		[FILE_EVAL] = "eval",
		[FILE_EXAMPLE] = "example",
		[FILE_SCRIPT] = "script",
		[FILE_ASSET] = "asset",
		[FILE_OTHER] = "other",
	};

	if ((unsigned)k < sizeof(names) / sizeof(names[0]) && names[k])
		return names[k];
	return "other";
}

/* Marker and checklist names first, then the top folder. */
enum file_kind file_kind_of(const char *rel_path)
{
	static const struct {
		const char *dir;
		enum file_kind kind;
	} dirs[] = {
		{ "references/", FILE_REFERENCE },
		{ "evals/", FILE_EVAL },
		{ "examples/", FILE_EXAMPLE },
		{ "scripts/", FILE_SCRIPT },
		{ "assets/", FILE_ASSET },
	};

	if (is_skill_md_name(rel_path))
		return FILE_SKILL;
	if (strcmp(path_base(rel_path), "review-checklist.md") == 0)
		return FILE_CHECKLIST;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(rel_path, dirs[i].dir, strlen(dirs[i].dir)) == 0)
			return dirs[i].kind;
	return FILE_OTHER;
}

/* Extension table lookup, refined by the text flag. */
const char *file_mime_of(const char *rel_path, bool text)
{
	static const struct {
		const char *ext;
		const char *mime;
		bool textual;  /* only right when the bytes are text */
	} types[] = {
		{ "md", "text/markdown; charset=utf-8", true },
		{ "markdown", "text/markdown; charset=utf-8", true },
		{ "txt", "text/plain; charset=utf-8", true },
		{ "json", "application/json", true },
		{ "py", "text/x-python; charset=utf-8", true },
		{ "sh", "text/x-shellscript; charset=utf-8", true },
		{ "js", "text/javascript; charset=utf-8", true },
		{ "mjs", "text/javascript; charset=utf-8", true },
		{ "cjs", "text/javascript; charset=utf-8", true },
		{ "ts", "text/x-typescript; charset=utf-8", true },
		{ "html", "text/html; charset=utf-8", true },
		{ "htm", "text/html; charset=utf-8", true },
		{ "css", "text/css; charset=utf-8", true },
		{ "csv", "text/csv; charset=utf-8", true },
		{ "yaml", "application/yaml", true },
		{ "yml", "application/yaml", true },
		{ "xml", "application/xml", true },
		{ "toml", "application/toml", true },
		{ "svg", "image/svg+xml", true },
		{ "png", "image/png", false },
		{ "jpg", "image/jpeg", false },
		{ "jpeg", "image/jpeg", false },
		{ "gif", "image/gif", false },
		{ "webp", "image/webp", false },
		{ "ico", "image/vnd.microsoft.icon", false },
		{ "pdf", "application/pdf", false },
		{ "zip", "application/zip", false },
		{ "gz", "application/gzip", false },
		{ "tgz", "application/gzip", false },
		{ "tar", "application/x-tar", false },
		{ "woff", "font/woff", false },
		{ "woff2", "font/woff2", false },
		{ "ttf", "font/ttf", false },
		{ "otf", "font/otf", false },
	};
	const char *base = path_base(rel_path);
	const char *dot = strrchr(base, '.');

	if (dot && dot != base) {
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			if (strcasecmp(dot + 1, types[i].ext) != 0)
				continue;
			if (types[i].textual && !text)
				return "application/octet-stream";
			return types[i].mime;
		}
	}
	return text ? "text/plain; charset=utf-8" : "application/octet-stream";
}
