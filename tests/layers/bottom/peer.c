/* SPDX-License-Identifier: MIT */
/* Layer-check fixture: calls low, which calls it: a cycle. */
int peer_fn(void);
int low_fn(void);

int peer_fn(void)
{
	return low_fn();
}
