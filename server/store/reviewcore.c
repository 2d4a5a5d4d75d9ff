/* SPDX-License-Identifier: MIT */
/*
 * reviewcore: the rows' JSON and the rules of a write that both review
 * stores follow (see reviewcore.h). Only cJSON; no database, no state.
 */
#include "skilld/store/reviewcore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "skilld/base/util.h"

/* How a column's text becomes a member. */
enum col_kind {
	COL_TEXT,     /* a string, or null */
	COL_NUM,      /* a number (0 when NULL) */
	COL_ARRAY,    /* JSON text: its value, [] when NULL or not JSON */
	COL_OBJECT,   /* JSON text: its value, {} when NULL or not JSON */
};

struct col {
	const char *key;
	enum col_kind kind;
};

/* The object of the n columns c as cols name them. */
static cJSON *row_json(const struct col *cols, size_t n, const char *const *c)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < n; i++) {
		cJSON *v;

		switch (cols[i].kind) {
		case COL_TEXT:
			jadd_str_or_null(o, cols[i].key, c[i]);
			break;
		case COL_NUM:
			cJSON_AddNumberToObject(o, cols[i].key,
						c[i] ? (double)strtoll(c[i], NULL, 10) : 0);
			break;
		case COL_ARRAY:
		case COL_OBJECT:
			v = c[i] ? cJSON_Parse(c[i]) : NULL;
			if (!v)
				v = cols[i].kind == COL_ARRAY ? cJSON_CreateArray() : cJSON_CreateObject();
			cJSON_AddItemToObject(o, cols[i].key, v);
			break;
		}
	}
	return o;
}

/* The members of each shape, in the order of its COLUMNS. */
static const struct col review_cols[REVIEW_NCOLS] = {
	{ "id", COL_TEXT }, { "skill", COL_TEXT }, { "checklist_path", COL_TEXT },
	{ "checklist_digest", COL_TEXT }, { "start_items", COL_ARRAY }, { "title", COL_TEXT },
	{ "target", COL_TEXT }, { "author", COL_TEXT }, { "status", COL_TEXT },
	{ "created_at", COL_NUM }, { "updated_at", COL_NUM }, { "seq", COL_NUM },
};
static const struct col item_cols[ITEM_NCOLS] = {
	{ "id", COL_TEXT }, { "ref", COL_TEXT }, { "text", COL_TEXT }, { "section", COL_TEXT },
	{ "verdict", COL_TEXT }, { "severity", COL_TEXT }, { "note", COL_TEXT },
	{ "evidence", COL_TEXT }, { "author", COL_TEXT }, { "updated_at", COL_NUM },
	{ "version", COL_NUM },
};
static const struct col head_cols[HEAD_NCOLS] = {
	{ "id", COL_TEXT }, { "skill", COL_TEXT }, { "checklist_path", COL_TEXT },
	{ "status", COL_TEXT }, { "seq", COL_NUM },
};
static const struct col event_cols[EVENT_NCOLS] = {
	{ "seq", COL_NUM }, { "at", COL_NUM }, { "author", COL_TEXT }, { "item", COL_TEXT },
	{ "change", COL_OBJECT },
};

cJSON *reviewcore_review_json(const char *const c[REVIEW_NCOLS])
{
	return row_json(review_cols, REVIEW_NCOLS, c);
}

cJSON *reviewcore_item_json(const char *const c[ITEM_NCOLS])
{
	return row_json(item_cols, ITEM_NCOLS, c);
}

cJSON *reviewcore_head_json(const char *const c[HEAD_NCOLS])
{
	return row_json(head_cols, HEAD_NCOLS, c);
}

cJSON *reviewcore_event_json(const char *const c[EVENT_NCOLS])
{
	return row_json(event_cols, EVENT_NCOLS, c);
}

int reviewcore_new_id(char id[REVIEW_ID_LEN + 1], char *err, size_t errlen)
{
	unsigned char raw[REVIEW_ID_LEN / 2];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		snprintf(err, errlen, "reviews: no random bytes for an id: %s", strerror(errno));
		return -1;
	}
	hex_encode(raw, sizeof(raw), id);
	return 0;
}

/* Records field: [old, new] in change when they differ. */
static void note_change(cJSON *change, const char *field, const char *old, const char *new)
{
	cJSON *pair;

	if ((!old && !new) || (old && new && strcmp(old, new) == 0))
		return;
	pair = cJSON_AddArrayToObject(change, field);
	cJSON_AddItemToArray(pair, old ? cJSON_CreateString(old) : cJSON_CreateNull());
	cJSON_AddItemToArray(pair, new ? cJSON_CreateString(new) : cJSON_CreateNull());
}

cJSON *reviewcore_start_change(const struct review_start *s)
{
	cJSON *change = cJSON_CreateObject();

	note_change(change, "status", NULL, "open");
	note_change(change, "title", NULL, s->title);
	if (s->target)
		note_change(change, "target", NULL, s->target);
	return change;
}

/* An item that has no row yet: open, version 0. */
static cJSON *item_blank(const struct item_write *w)
{
	const char *c[ITEM_NCOLS] = { w->item_id, w->ref, w->text ? w->text : "", w->section };

	return reviewcore_item_json(c);
}

/* Applies one write inside the transaction. 0 with *after the item, 1
 * when its version is not w->if_version (*after the item as it is), -1. */
static int write_one(const struct reviewtx *tx, const char *id, const struct item_write *w,
		     int64_t now, cJSON **after)
{
	struct item_state s;
	cJSON *cur, *change;
	int64_t version;
	int rc;

	if (tx->item(tx->ctx, id, w->item_id, &cur) != 0)
		return -1;
	if (!cur)
		cur = item_blank(w);
	version = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(cur, "version"));
	if (w->if_version >= 0 && w->if_version != version) {
		*after = cur;
		return 1;
	}
	s.verdict = w->set & ITEM_SET_VERDICT ? w->verdict : jstr(cur, "verdict");
	s.severity = w->set & ITEM_SET_SEVERITY ? w->severity : jstr(cur, "severity");
	if (!s.verdict || strcmp(s.verdict, "fail") != 0)
		s.severity = NULL;
	s.note = w->set & ITEM_SET_NOTE ? w->note : jstr(cur, "note");
	s.evidence = w->set & ITEM_SET_EVIDENCE ? w->evidence : jstr(cur, "evidence");
	change = cJSON_CreateObject();
	note_change(change, "verdict", jstr(cur, "verdict"), s.verdict);
	note_change(change, "severity", jstr(cur, "severity"), s.severity);
	note_change(change, "note", jstr(cur, "note"), s.note);
	note_change(change, "evidence", jstr(cur, "evidence"), s.evidence);
	if (!change->child) {
		cJSON_Delete(change);
		*after = cur;
		return 0;
	}
	rc = tx->put_item(tx->ctx, id, w, &s, now, version + 1);
	if (rc == 0)
		rc = tx->event(tx->ctx, id, now, w->author, w->item_id, change);
	cJSON_Delete(change);
	cJSON_Delete(cur);
	if (rc == 0)
		rc = tx->item(tx->ctx, id, w->item_id, after);
	return rc;
}

int reviewcore_write_items(const struct reviewtx *tx, const char *id, const struct item_write *w,
			   size_t n, int64_t now, cJSON **results, size_t *failed)
{
	char status[8];
	int rc = tx->status(tx->ctx, id, status);

	*results = NULL;
	if (rc <= 0)
		return rc == 0 ? REVIEWDB_NOT_FOUND : REVIEWDB_ERROR;
	if (strcmp(status, "open") != 0)
		return REVIEWDB_CLOSED;
	*results = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *after = NULL;
		int r = write_one(tx, id, &w[i], now, &after);

		if (r < 0) {
			cJSON_Delete(*results);
			*results = NULL;
			return REVIEWDB_ERROR;
		}
		if (r > 0) {
			cJSON_Delete(*results);
			*results = cJSON_CreateArray();
			cJSON_AddItemToArray(*results, after);
			*failed = i;
			return REVIEWDB_STALE;
		}
		cJSON_AddItemToArray(*results, after);
	}
	return 0;
}

int reviewcore_edit(const struct reviewtx *tx, const char *id, const struct review_edit *e,
		    int64_t now)
{
	struct review_state s;
	cJSON *cur = NULL, *change;
	int rc = tx->review(tx->ctx, id, &cur);

	if (rc != 0 || !cur)
		return rc != 0 ? REVIEWDB_ERROR : REVIEWDB_NOT_FOUND;
	s.title = e->title ? e->title : jstr(cur, "title");
	s.target = e->clear_target ? NULL : e->target ? e->target : jstr(cur, "target");
	s.status = e->status ? e->status : jstr(cur, "status");
	change = cJSON_CreateObject();
	note_change(change, "title", jstr(cur, "title"), s.title);
	note_change(change, "target", jstr(cur, "target"), s.target);
	note_change(change, "status", jstr(cur, "status"), s.status);
	rc = 0;
	if (change->child && (tx->put_review(tx->ctx, id, &s) != 0 ||
			      tx->event(tx->ctx, id, now, e->author, NULL, change) != 0))
		rc = REVIEWDB_ERROR;
	cJSON_Delete(change);
	cJSON_Delete(cur);
	return rc;
}
