/* SPDX-License-Identifier: MIT */
/*
 * cli: the `skilld check` command: validates skill folders without a
 * database or a server and prints, per skill, its errors, warnings and tier
 * (as text or JSON). Single threaded.
 */
#ifndef SKILLD_CLI_H
#define SKILLD_CLI_H

#include <stdio.h>

#include "skilld/base/config.h"

/* Runs `check` over cfg->check_dirs. Returns the exit status: 0 when no
 * error was found, 1 when any skill (or a folder) has an error. */
int cli_check(const struct config *cfg, FILE *out, FILE *err);

/* skilld backup DEST: copies cfg->reviews_db to cfg->backup_dest while a
 * server may be writing it, and says so on out. 0, or 1 with the reason
 * on err. */
int cli_backup(const struct config *cfg, FILE *out, FILE *err);

#endif
