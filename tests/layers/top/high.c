/* SPDX-License-Identifier: MIT */
/* Layer-check fixture: a top-layer module calling down (allowed). */
int high_fn(void);
int low_fn(void);

int high_fn(void)
{
	return low_fn() + 1;
}
