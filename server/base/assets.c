/* SPDX-License-Identifier: MIT */
/*
 * assets: lookups in the table that tools/embed generates from assets/
 * ($(BUILD)/gen/assets_data.c). The table is constant data written at
 * build time, so there is no initialisation and no lock: safe from any
 * thread.
 */
#include "skilld/base/assets.h"

#include <string.h>

/* Defined in the generated assets_data.c: the assets in name order, then
 * one all-zero entry; assets_table_len does not count that last one. */
extern const struct asset assets_table[];
extern const size_t assets_table_len;
/* The same for docs/ (docs_data.c). */
extern const struct asset docs_table[];
extern const size_t docs_table_len;

const struct asset *assets_find(const char *name)
{
	if (!name || !name[0])
		return NULL;
	for (size_t i = 0; i < assets_table_len; i++)
		if (strcmp(assets_table[i].name, name) == 0)
			return &assets_table[i];
	return NULL;
}

size_t assets_count(void)
{
	return assets_table_len;
}

const struct asset *assets_at(size_t i)
{
	return i < assets_table_len ? &assets_table[i] : NULL;
}

const struct asset *assets_doc(const char *name)
{
	if (!name || !name[0])
		return NULL;
	for (size_t i = 0; i < docs_table_len; i++)
		if (strcmp(docs_table[i].name, name) == 0)
			return &docs_table[i];
	return NULL;
}
