/* SPDX-License-Identifier: MIT */
/*
 * replay: runs a fuzz target's LLVMFuzzerTestOneInput over saved inputs
 * without libFuzzer, so that the corpus and every crasher ever found are
 * replayed by `make check` under gcc with ASan and UBSan. Each argument is a
 * file or a directory whose regular files are replayed in name order (not
 * recursing; dot files and README* files, which document a directory, are
 * skipped). Single threaded.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "skilld/base/util.h"

/* The fuzz target linked in with this driver. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Largest input replayed; bigger files are reported and skipped. */
#define REPLAY_MAX_INPUT (64u * 1024 * 1024)

/* Replays one file. Returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
	char *data;
	size_t len;

	if (read_file_all(path, REPLAY_MAX_INPUT, &data, &len) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	free(data);
	return 0;
}

/* scandir filter: every entry except dot entries and README files. */
static int replay_visible(const struct dirent *e)
{
	return e->d_name[0] != '.' && strncmp(e->d_name, "README", 6) != 0;
}

/* Replays a file, or each regular file of a directory. Sets *count to the
 * number of inputs replayed. Returns 0, or -1 when something was unreadable. */
static int replay_path(const char *path, size_t *count)
{
	struct dirent **names;
	struct stat st;
	int n, rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (replay_file(path) != 0)
			return -1;
		(*count)++;
		return 0;
	}
	n = scandir(path, &names, replay_visible, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *file = xasprintf("%s/%s", path, names[i]->d_name);

		if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(file) != 0)
				rc = -1;
			else
				(*count)++;
		}
		free(file);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* Replays every argument; exits 1 when an input could not be read (a crash
 * in the target ends the process through the sanitizers instead). */
int main(int argc, char **argv)
{
	size_t count = 0;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			rc = 1;
	printf("replay: %zu inputs, no crash\n", count);
	return rc;
}
