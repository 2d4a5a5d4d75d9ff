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

#endif
