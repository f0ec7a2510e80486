// SPDX-License-Identifier: GPL-2.0
/*
 * mcr_gate_probe: a deliberately buggy module, for selftests/gate/gate_test.sh
 * only. It proves that the gate catches what it is meant to catch:
 *
 *   insmod mcr_gate_probe.ko mode=leak   kmalloc()s objects and forgets them
 *                                        (kmemleak: "unreferenced object")
 *   insmod mcr_gate_probe.ko mode=uaf    reads a kfree()d object
 *                                        (KASAN: slab-use-after-free)
 *   insmod mcr_gate_probe.ko mode=none   does nothing (the control)
 *
 * Never load it anywhere but a throw-away VM.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *mode = "none";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "none, leak or uaf");

static unsigned int leak_count = 4;
module_param(leak_count, uint, 0444);
MODULE_PARM_DESC(leak_count, "objects to leak with mode=leak (default 4)");

/* Recognisable in kmemleak's hex dump of the leaked objects. */
static const char marker[] = "mcr-gate-probe-leak";

static noinline void probe_leak(void)
{
	unsigned int i;

	for (i = 0; i < leak_count; i++) {
		char *p = kmalloc(192, GFP_KERNEL);

		if (!p)
			return;
		memset(p, 0, 192);
		memcpy(p, marker, sizeof(marker));
		/* The only reference dies with this stack frame. */
		pr_info("mcr_gate_probe: leaking object %u\n", i);
	}
}

static noinline void probe_uaf(void)
{
	u8 *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return;
	memset(p, 0x5a, 64);
	kfree(p);
	pr_info("mcr_gate_probe: read after free: %u\n", READ_ONCE(p[8]));
}

static int __init probe_init(void)
{
	if (!strcmp(mode, "leak"))
		probe_leak();
	else if (!strcmp(mode, "uaf"))
		probe_uaf();
	else if (strcmp(mode, "none"))
		return -EINVAL;
	return 0;
}

static void __exit probe_exit(void)
{
}

module_init(probe_init);
module_exit(probe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mcr gate probe: deliberately leaks or uses after free");
