/* SPDX-License-Identifier: MIT */
/* Layer-check fixture: a bottom-layer module that calls the layer above
 * (high_fn) and a module of its own layer that calls it back (peer). */
int low_fn(void);
int low_up(void);
int high_fn(void);
int peer_fn(void);

int low_fn(void)
{
	return 1;
}

int low_up(void)
{
	return high_fn() + peer_fn();
}
