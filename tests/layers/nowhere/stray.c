/* SPDX-License-Identifier: MIT */
/* Layer-check fixture: a module that no layer names. */
int stray_fn(void);

int stray_fn(void)
{
	return 2;
}
