/* SPDX-License-Identifier: MIT */
/*
 * cursor: the opaque page cursors every listing gives out (the API's
 * skills and search, MCP's skills and resources). A cursor is a tag
 * character naming the listing, then the hex of its first part, then '.'
 * and the hex of a second part when there is one: "c616c706861" is
 * ("alpha") for tag 'c'. A listing accepts back only its own tag and shape,
 * with parts that are non-empty, hold no NUL and are valid UTF-8.
 */
#ifndef SKILLD_CURSOR_H
#define SKILLD_CURSOR_H

/* The longest cursor cursor_read accepts (none this server makes is longer:
 * the parts are slugs, paths and numbers). */
#define CURSOR_MAX 4096

/* The cursor of (a) or (a, b) when b is not NULL; free(). */
char *cursor_make(char tag, const char *a, const char *b);

/* Reverses cursor_make: 0 with *a (and *b, when b is not NULL) set to new
 * strings (free()), or -1 and nothing set for anything cursor_make could
 * not have made with this tag and this number of parts. */
int cursor_read(const char *cursor, char tag, char **a, char **b);

#endif
