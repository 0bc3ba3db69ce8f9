/* What bpfman's XDP and TC dispatchers share: ten slots and the loop that
 * runs them.
 *
 * Each slot function (prog0 ... prog9) is a global, non-inlined stub that
 * bpfman replaces with a member program through freplace
 * (BPF_PROG_TYPE_EXT); an empty slot returns a code no real action uses.
 * The dispatcher runs the enabled slots in order and goes on to the next
 * only while the slot's return code is set in its chain-call bitmask, where
 * action N sits at bit N - LOWEST (TC actions start at -1). */
#ifndef BPFMAN_DISPATCHER_H
#define BPFMAN_DISPATCHER_H

#define SLOTS 10

#define DEFINE_SLOT(n, context, empty, invalid)             \
	__attribute__((noinline)) int prog##n(context *ctx) \
	{                                                   \
		volatile int ret = empty;                   \
		if (!ctx)                                   \
			return invalid;                     \
		return ret;                                 \
	}

#define DEFINE_SLOTS(context, empty, invalid)                                  \
	DEFINE_SLOT(0, context, empty, invalid) DEFINE_SLOT(1, context, empty, invalid) \
	DEFINE_SLOT(2, context, empty, invalid) DEFINE_SLOT(3, context, empty, invalid) \
	DEFINE_SLOT(4, context, empty, invalid) DEFINE_SLOT(5, context, empty, invalid) \
	DEFINE_SLOT(6, context, empty, invalid) DEFINE_SLOT(7, context, empty, invalid) \
	DEFINE_SLOT(8, context, empty, invalid) DEFINE_SLOT(9, context, empty, invalid)

/* Runs slot n when enabled; returns its verdict unless the slot's bitmask
 * says to go on, and `done` after the last enabled slot. */
#define RUN_SLOT(n, lowest, done)                                    \
	if (conf.num_progs_enabled <= n)                             \
		return done;                                         \
	ret = prog##n(ctx);                                          \
	if (ret < (lowest) || ret > (lowest) + 31 ||                 \
	    !((1U << (ret - (lowest))) & conf.chain_call_actions[n])) \
		return ret;

#define RUN_SLOTS(lowest, done)                                              \
	int ret;                                                             \
	RUN_SLOT(0, lowest, done) RUN_SLOT(1, lowest, done) RUN_SLOT(2, lowest, done) \
	RUN_SLOT(3, lowest, done) RUN_SLOT(4, lowest, done) RUN_SLOT(5, lowest, done) \
	RUN_SLOT(6, lowest, done) RUN_SLOT(7, lowest, done) RUN_SLOT(8, lowest, done) \
	RUN_SLOT(9, lowest, done)                                            \
	return done;

#endif
