/* SPDX-License-Identifier: MIT */
/* cursor: opaque page cursors (see cursor.h). */
#include "skilld/base/cursor.h"

#include <stdlib.h>
#include <string.h>

#include "skilld/base/text.h"
#include "skilld/base/util.h"

char *cursor_make(char tag, const char *a, const char *b)
{
	size_t na = strlen(a), nb = b ? strlen(b) : 0;
	char *out = xmalloc(1 + 2 * na + (b ? 1 + 2 * nb : 0) + 1);
	size_t n = 0;

	out[n++] = tag;
	hex_encode(a, na, out + n);
	n += 2 * na;
	if (b) {
		out[n++] = '.';
		hex_encode(b, nb, out + n);
		n += 2 * nb;
	}
	out[n] = '\0';
	return out;
}

/* n hex digits as a new string; NULL when they are not lowercase hex, are
 * odd in number, or decode to a NUL or to invalid UTF-8. */
static char *part_read(const char *p, size_t n)
{
	char *out = xmalloc(n / 2 + 1);
	size_t len;

	if (hex_decode(p, n, out, &len) != 0 || memchr(out, '\0', len) || !utf8_valid(out, len)) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

int cursor_read(const char *cursor, char tag, char **a, char **b)
{
	size_t len = strlen(cursor);
	const char *dot;
	char *x = NULL, *y = NULL;

	if (len < 3 || len > CURSOR_MAX || cursor[0] != tag)
		return -1;
	dot = strchr(cursor + 1, '.');
	if ((dot != NULL) != (b != NULL) || (dot && (dot == cursor + 1 || dot[1] == '\0')))
		return -1;
	x = part_read(cursor + 1, dot ? (size_t)(dot - cursor - 1) : len - 1);
	if (x && dot)
		y = part_read(dot + 1, strlen(dot + 1));
	if (!x || (dot && !y)) {
		free(x);
		free(y);
		return -1;
	}
	*a = x;
	if (b)
		*b = y;
	return 0;
}
