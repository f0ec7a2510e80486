// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: a device that goes away costs what it is used by. Unregistering
 * an output device looks only at the rules with outputs on it (the output
 * index), not at every rule of its namespace under RTNL, which at the
 * limits made one namespace's teardown cost billions of steps. Each rule
 * an unregister looks at passes once through mcr_outputs_on_dev(): a
 * static stub counts the calls.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>

#include "mcr.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Rules whose outputs are all on DEV_BUSY. */
#define OTHER_RULES	64

enum teardown_dev {
	DEV_IN,		/* the input of every rule */
	DEV_BUSY,	/* an output of every rule */
	DEV_SHARED,	/* two outputs of one rule */
	DEV_UNUSED,	/* used by no rule */
	DEV_COUNT,
};

struct teardown {
	struct net_device *dev[DEV_COUNT];
	struct mcr_rule *shared;	/* outputs on busy, shared, shared */
	unsigned int visits;		/* calls of mcr_outputs_on_dev() */
};

static netdev_tx_t teardown_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops teardown_netdev_ops = {
	.ndo_start_xmit = teardown_xmit,
};

static void teardown_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &teardown_netdev_ops;
}

/* Unregisters and frees t's device i, if it is there. */
static void teardown_unregister(struct teardown *t, enum teardown_dev i)
{
	if (!t->dev[i])
		return;
	unregister_netdev(t->dev[i]);
	free_netdev(t->dev[i]);
	t->dev[i] = NULL;
}

/* Counts, and answers as mcr_outputs_on_dev() does. */
static unsigned int counting_outputs_on_dev(const struct mcr_outputs *outs,
					    const struct net_device *dev)
{
	struct teardown *t = kunit_get_current_test()->priv;
	unsigned int i, n = 0;

	t->visits++;
	for (i = 0; i < outs->count; i++)
		n += outs->out[i].dev == dev;
	return n;
}

/* A (*,G) rule on DEV_IN, group 239.0.0.(nr + 1), an output per devs[]. */
static struct mcr_rule *teardown_rule(struct teardown *t, unsigned int nr,
				      const enum teardown_dev *devs,
				      unsigned int count)
{
	__be32 group = htonl(0xef000001 + nr);
	struct mcr_outputs *outs;
	struct mcr_rule *rule;
	unsigned int i;
	int err;

	outs = mcr_outputs_alloc(count);
	rule = mcr_rule_alloc();
	if (!outs || !rule) {
		mcr_outputs_free(outs);
		if (rule)
			mcr_rule_free(rule);
		return NULL;
	}
	for (i = 0; i < count; i++) {
		struct mcr_output *out = &outs->out[i];

		/* Distinct streams: the same group to distinct ports. */
		out->dev = t->dev[devs[i]];
		out->daddr.ip = group;
		out->port = htons(5000 + i);
		out->rewrites = true;
		netdev_hold(out->dev, &out->dev_tracker, GFP_KERNEL);
	}
	rule->key.family = AF_INET;
	rule->key.group.ip = group;
	rule->flags = MCR_RULE_FLAGS_NOJOIN;
	RCU_INIT_POINTER(rule->outputs, outs);
	rtnl_lock();
	err = mcr_rule_insert(mcr_net(&init_net), t->dev[DEV_IN], rule, NULL);
	rtnl_unlock();
	if (err) {
		mcr_rule_free(rule);
		return NULL;
	}
	return rule;
}

/* How many outputs the index says rule id has on dev. */
static unsigned long teardown_uses(struct mcr_net *mn, int ifindex, u32 id)
{
	struct xarray *uses = xa_load(&mn->out_devs, ifindex);

	return uses ? xa_to_value(xa_load(uses, id)) : 0;
}

static void mcr_unregister_visits_users_test(struct kunit *test)
{
	static const enum teardown_dev other_outs[] = { DEV_BUSY };
	static const enum teardown_dev shared_outs[] = {
		DEV_BUSY, DEV_SHARED, DEV_SHARED
	};
	struct mcr_net *mn = mcr_net(&init_net);
	struct teardown *t = test->priv;
	int busy = t->dev[DEV_BUSY]->ifindex;
	int shared = t->dev[DEV_SHARED]->ifindex;
	struct mcr_outputs *outs;
	u64 removed;
	unsigned int i;

	for (i = 0; i < OTHER_RULES; i++)
		KUNIT_ASSERT_NOT_NULL(test, teardown_rule(t, i, other_outs, 1));
	t->shared = teardown_rule(t, OTHER_RULES, shared_outs,
				  ARRAY_SIZE(shared_outs));
	KUNIT_ASSERT_NOT_NULL(test, t->shared);
	KUNIT_EXPECT_EQ(test, teardown_uses(mn, busy, t->shared->id), 1);
	KUNIT_EXPECT_EQ(test, teardown_uses(mn, shared, t->shared->id), 2);
	removed = mn->outputs_removed;

	kunit_activate_static_stub(test, mcr_outputs_on_dev,
				   counting_outputs_on_dev);

	/* Used by no rule: looks at none. */
	teardown_unregister(t, DEV_UNUSED);
	KUNIT_EXPECT_EQ_MSG(test, t->visits, 0,
			    "a device no rule uses looked at rules");

	/* Two outputs of one rule of 65: looks at that rule, once. */
	teardown_unregister(t, DEV_SHARED);
	KUNIT_EXPECT_EQ_MSG(test, t->visits, 1,
			    "looked at rules the device is not used by");

	rtnl_lock();
	outs = rtnl_dereference(t->shared->outputs);
	KUNIT_EXPECT_EQ(test, outs->count, 1);
	KUNIT_EXPECT_PTR_EQ(test, outs->out[0].dev, t->dev[DEV_BUSY]);
	KUNIT_EXPECT_EQ(test, mn->outputs_removed - removed, 2);
	KUNIT_EXPECT_NULL(test, xa_load(&mn->out_devs, shared));
	KUNIT_EXPECT_EQ(test, teardown_uses(mn, busy, t->shared->id), 1);
	rtnl_unlock();
}

static int mcr_teardown_init(struct kunit *test)
{
	struct teardown *t;
	unsigned int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;
	for (i = 0; i < DEV_COUNT; i++) {
		t->dev[i] = alloc_netdev(0, "mcrkt%d", NET_NAME_ENUM,
					 teardown_setup);
		if (!t->dev[i])
			return -ENOMEM;
		if (register_netdev(t->dev[i])) {
			free_netdev(t->dev[i]);
			t->dev[i] = NULL;
			return -ENODEV;
		}
	}
	return 0;
}

/* The input first: its rules go with it, and their device references. */
static void mcr_teardown_exit(struct kunit *test)
{
	struct teardown *t = test->priv;
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < DEV_COUNT; i++)
		teardown_unregister(t, i);
}

static struct kunit_case mcr_teardown_cases[] = {
	KUNIT_CASE(mcr_unregister_visits_users_test),
	{}
};

static struct kunit_suite mcr_teardown_suite = {
	.name = "mcr_teardown",
	.init = mcr_teardown_init,
	.exit = mcr_teardown_exit,
	.test_cases = mcr_teardown_cases,
};

kunit_test_suite(mcr_teardown_suite);
