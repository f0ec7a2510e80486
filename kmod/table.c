// SPDX-License-Identifier: GPL-2.0
/*
 * mcr: the rule table. Each input device with rules has a hash of its rules
 * by group; a bucket keeps more specific rules first, so the first match
 * is the best one. Writers hold RTNL; the packet path reads under RCU.
 */
#include <linux/hash.h>
#include <linux/igmp.h>
#include <linux/inetdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "mcr.h"

static struct hlist_head *mcr_bucket(const struct mcr_dev *mdev, __be32 group)
{
	return (struct hlist_head *)
		&mdev->rules[hash_32((__force u32)group, MCR_DEV_HASH_BITS)];
}

/* (S,G,port) > (*,G,port) > (S,G,any) > (*,G,any) */
unsigned int mcr_key_specificity(const struct mcr_key *key)
{
	return (key->port ? 2 : 0) + (key->source ? 1 : 0);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_key_specificity);

static bool mcr_key_equal(const struct mcr_key *a, const struct mcr_key *b)
{
	return a->group == b->group && a->source == b->source &&
	       a->port == b->port;
}

struct mcr_rule *mcr_dev_lookup(const struct mcr_dev *mdev, __be32 daddr,
				__be32 saddr, __be16 dport)
{
	struct mcr_rule *rule;

	hlist_for_each_entry_rcu(rule, mcr_bucket(mdev, daddr), hash_node) {
		if (rule->key.group == daddr &&
		    (!rule->key.source || rule->key.source == saddr) &&
		    (!rule->key.port || rule->key.port == dport))
			return rule;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_dev_lookup);

/* Link rule into its bucket after the rules at least as specific as it. */
void mcr_dev_link_rule(struct mcr_dev *mdev, struct mcr_rule *rule)
{
	unsigned int spec = mcr_key_specificity(&rule->key);
	struct hlist_head *head = mcr_bucket(mdev, rule->key.group);
	struct mcr_rule *pos, *prev = NULL;

	hlist_for_each_entry(pos, head, hash_node) {
		if (mcr_key_specificity(&pos->key) < spec)
			break;
		prev = pos;
	}
	if (prev)
		hlist_add_behind_rcu(&rule->hash_node, &prev->hash_node);
	else
		hlist_add_head_rcu(&rule->hash_node, head);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_dev_link_rule);

static struct mcr_dev *mcr_dev_find(struct mcr_net *mn, int ifindex)
{
	struct mcr_dev *mdev;

	list_for_each_entry(mdev, &mn->devs, node)
		if (mdev->dev->ifindex == ifindex)
			return mdev;
	return NULL;
}

struct mcr_rule *mcr_rule_find(struct mcr_net *mn, int ifindex,
			       const struct mcr_key *key)
{
	struct mcr_dev *mdev = mcr_dev_find(mn, ifindex);
	struct mcr_rule *rule;

	if (!mdev)
		return NULL;
	hlist_for_each_entry(rule, mcr_bucket(mdev, key->group), hash_node)
		if (mcr_key_equal(&rule->key, key))
			return rule;
	return NULL;
}

struct mcr_outputs *mcr_outputs_alloc(unsigned int count)
{
	struct mcr_outputs *outs;
	unsigned int i;

	outs = kvzalloc(struct_size(outs, out, count), GFP_KERNEL);
	if (!outs)
		return NULL;
	outs->count = count;
	for (i = 0; i < count; i++) {
		outs->out[i].stats =
			netdev_alloc_pcpu_stats(struct mcr_output_pcpu_stats);
		if (!outs->out[i].stats) {
			mcr_outputs_free(outs);
			return NULL;
		}
	}
	return outs;
}

/* Frees an output set no packet can see any more. */
void mcr_outputs_free(struct mcr_outputs *outs)
{
	unsigned int i;

	if (!outs)
		return;
	for (i = 0; i < outs->count; i++) {
		if (outs->out[i].moved)
			continue;
		if (!outs->out[i].stats_moved)
			free_percpu(outs->out[i].stats);
		netdev_put(outs->out[i].dev, &outs->out[i].dev_tracker);
	}
	kvfree(outs);
}

static void mcr_outputs_free_work(struct work_struct *work)
{
	mcr_outputs_free(container_of(to_rcu_work(work), struct mcr_outputs,
				      free_work));
}

/* Frees an output set once the packets that may still see it are done. */
void mcr_outputs_free_rcu(struct mcr_outputs *outs)
{
	INIT_RCU_WORK(&outs->free_work, mcr_outputs_free_work);
	queue_rcu_work(mcr_wq, &outs->free_work);
}

struct mcr_rule *mcr_rule_alloc(void)
{
	struct mcr_rule *rule;

	rule = kzalloc(sizeof(*rule), GFP_KERNEL);
	if (!rule)
		return NULL;
	rule->stats = netdev_alloc_pcpu_stats(struct mcr_rule_pcpu_stats);
	if (!rule->stats) {
		kfree(rule);
		return NULL;
	}
	return rule;
}

void mcr_rule_free(struct mcr_rule *rule)
{
	mcr_outputs_free(rcu_dereference_protected(rule->outputs, true));
	free_percpu(rule->stats);
	kfree(rule);
}

static void mcr_rule_free_work(struct work_struct *work)
{
	mcr_rule_free(container_of(to_rcu_work(work), struct mcr_rule,
				   free_work));
}

static struct mcr_dev *mcr_dev_get(struct mcr_net *mn, struct net_device *dev,
				   struct netlink_ext_ack *extack)
{
	struct mcr_dev *mdev = mcr_dev_find(mn, dev->ifindex);
	int err;

	if (mdev)
		return mdev;
	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL);
	if (!mdev)
		return ERR_PTR(-ENOMEM);
	mdev->mn = mn;
	mdev->dev = dev;
	netdev_hold(dev, &mdev->dev_tracker, GFP_KERNEL);
	err = mcr_hook_register(mdev);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot hook the input device's ingress");
		netdev_put(dev, &mdev->dev_tracker);
		kfree(mdev);
		return ERR_PTR(err);
	}
	list_add(&mdev->node, &mn->devs);
	return mdev;
}

static void mcr_dev_free_rcu(struct rcu_head *head)
{
	struct mcr_dev *mdev = container_of(head, struct mcr_dev, rcu);

	netdev_put(mdev->dev, &mdev->dev_tracker);
	kfree(mdev);
}

/* Unhook a device once its last rule is gone. */
static void mcr_dev_put(struct mcr_dev *mdev)
{
	if (mdev->rule_count)
		return;
	mcr_hook_unregister(mdev);
	list_del(&mdev->node);
	/* A packet already in the hook may still use mdev. */
	call_rcu(&mdev->rcu, mcr_dev_free_rcu);
}

void mcr_rule_update_join(struct mcr_rule *rule, bool join)
{
	struct in_device *in_dev;

	if (!ipv4_is_multicast(rule->key.group) || rule->joined == join)
		return;
	in_dev = __in_dev_get_rtnl(rule->mdev->dev);
	/* A device without IPv4 has no membership to hold or to drop. */
	if (!in_dev)
		join = false;
	else if (join)
		ip_mc_inc_group(in_dev, rule->key.group);
	else
		ip_mc_dec_group(in_dev, rule->key.group);
	rule->joined = join;
}

/* The rule table changed: dumps in progress flag NLM_F_DUMP_INTR. */
static void mcr_net_changed(struct mcr_net *mn)
{
	mn->gen = mn->gen + 1 ?: 1;
}

/*
 * Publish a fully built rule: allocate its id, hook its input device if
 * needed and insert it after the rules more specific than it.
 */
int mcr_rule_insert(struct mcr_net *mn, struct net_device *dev,
		    struct mcr_rule *rule, struct netlink_ext_ack *extack)
{
	struct mcr_dev *mdev;
	int err;

	ASSERT_RTNL();
	err = xa_alloc_cyclic(&mn->rules, &rule->id, rule, xa_limit_32b,
			      &mn->next_id, GFP_KERNEL);
	if (err < 0) {
		NL_SET_ERR_MSG(extack, "no rule id available");
		return err;
	}
	mdev = mcr_dev_get(mn, dev, extack);
	if (IS_ERR(mdev)) {
		xa_erase(&mn->rules, rule->id);
		return PTR_ERR(mdev);
	}
	rule->mdev = mdev;
	mdev->rule_count++;
	mn->rule_count++;
	mn->output_count += rcu_dereference_rtnl(rule->outputs)->count;

	mcr_dev_link_rule(mdev, rule);
	mcr_net_changed(mn);

	mcr_rule_update_join(rule, !(rule->flags & MCR_RULE_FLAGS_NOJOIN));
	return 0;
}

/* Unlink a rule and free it after the packets that may see it are done. */
void mcr_rule_remove(struct mcr_net *mn, struct mcr_rule *rule)
{
	struct mcr_dev *mdev = rule->mdev;

	ASSERT_RTNL();
	mcr_rule_update_join(rule, false);
	hlist_del_rcu(&rule->hash_node);
	xa_erase(&mn->rules, rule->id);
	mn->rule_count--;
	mn->output_count -= rcu_dereference_rtnl(rule->outputs)->count;
	mdev->rule_count--;
	mcr_dev_put(mdev);
	mcr_net_changed(mn);

	INIT_RCU_WORK(&rule->free_work, mcr_rule_free_work);
	queue_rcu_work(mcr_wq, &rule->free_work);
}

/* Whether two outputs send the same packets to the same place. */
static bool mcr_output_same(const struct mcr_output *a,
			    const struct mcr_output *b)
{
	return a->dev == b->dev && a->daddr == b->daddr &&
	       a->port == b->port && a->ttl == b->ttl &&
	       a->saddr == b->saddr && a->source_auto == b->source_auto;
}

/*
 * An output that a replace leaves as it was keeps its counters: it takes
 * over the old output's, which packets still on the old set go on
 * counting in until it is freed. Outputs are matched at the same position
 * first, as a replace usually keeps the order, then anywhere.
 */
static void mcr_outputs_keep_stats(struct mcr_outputs *old,
				   struct mcr_outputs *outs)
{
	unsigned int i, j;

	for (i = 0; i < outs->count; i++) {
		struct mcr_output *out = &outs->out[i];

		for (j = 0; j < old->count; j++) {
			struct mcr_output *o = &old->out[(i + j) % old->count];

			if (o->stats_moved || !mcr_output_same(o, out))
				continue;
			free_percpu(out->stats);
			out->stats = o->stats;
			o->stats_moved = true;
			break;
		}
	}
}

/*
 * Swap a rule's outputs in one pointer store: old set or new, never a mix.
 * Unchanged outputs keep their counters.
 */
void mcr_rule_set_outputs(struct mcr_net *mn, struct mcr_rule *rule,
			  struct mcr_outputs *outs)
{
	struct mcr_outputs *old;

	mcr_outputs_keep_stats(rcu_dereference_rtnl(rule->outputs), outs);
	old = rcu_replace_pointer(rule->outputs, outs, lockdep_rtnl_is_held());

	mn->output_count += outs->count;
	mn->output_count -= old->count;
	mcr_net_changed(mn);
	mcr_outputs_free_rcu(old);
}

/* Delete every rule, or those on one input device; returns how many. */
unsigned int mcr_net_flush(struct mcr_net *mn, int ifindex, bool notify)
{
	struct mcr_rule *rule;
	unsigned int n = 0;
	unsigned long id;

	ASSERT_RTNL();
	xa_for_each(&mn->rules, id, rule) {
		if (ifindex && rule->mdev->dev->ifindex != ifindex)
			continue;
		if (notify)
			mcr_nl_notify_rule(mn, rule, MCR_CMD_RULE_DEL_NTF, NULL);
		mcr_rule_remove(mn, rule);
		n++;
	}
	return n;
}

/* Drop the outputs on dev from rule, keeping the rule. */
static void mcr_rule_drop_dev_outputs(struct mcr_net *mn,
				      struct mcr_rule *rule,
				      const struct net_device *dev)
{
	struct mcr_outputs *old = rcu_dereference_rtnl(rule->outputs);
	struct mcr_outputs *outs;
	unsigned int i, j, gone = 0;

	for (i = 0; i < old->count; i++)
		gone += old->out[i].dev == dev;
	if (!gone)
		return;

	outs = kvzalloc(struct_size(outs, out, old->count - gone), GFP_KERNEL);
	if (!outs) {
		/* The device reference must go now: drop the whole rule. */
		mcr_nl_notify_rule(mn, rule, MCR_CMD_RULE_DEL_NTF, NULL);
		mcr_rule_remove(mn, rule);
		return;
	}
	/*
	 * The other entries move to the new set with their device reference
	 * and counters; the old set, still read by packets, is not changed
	 * but for the moved marks, which only its deferred free reads.
	 */
	outs->count = old->count - gone;
	for (i = 0, j = 0; i < old->count; i++) {
		if (old->out[i].dev == dev)
			continue;
		outs->out[j++] = old->out[i];
		old->out[i].moved = true;
	}
	rcu_assign_pointer(rule->outputs, outs);
	mn->output_count -= gone;
	mn->outputs_removed += gone;
	mcr_net_changed(mn);
	mcr_outputs_free_rcu(old);

	mcr_nl_notify_rule(mn, rule, MCR_CMD_OUTPUT_DEL_NTF, NULL);
}

/*
 * dev's IPv4 state was destroyed (its MTU went below 68) or created again.
 * A membership dies with its in_device: forget those of dev's rules, and
 * join again on a new in_device, so that a rule never leaves a membership
 * it did not take (a socket's, on the new in_device).
 */
void mcr_netdev_inet_changed(struct mcr_net *mn, struct net_device *dev)
{
	bool has_inet = __in_dev_get_rtnl(dev);
	struct mcr_rule *rule;
	unsigned long id;

	ASSERT_RTNL();
	if (!mcr_dev_find(mn, dev->ifindex))
		return;
	xa_for_each(&mn->rules, id, rule) {
		if (rule->mdev->dev != dev)
			continue;
		if (!has_inet)
			rule->joined = false;
		else
			mcr_rule_update_join(rule, !(rule->flags &
						     MCR_RULE_FLAGS_NOJOIN));
	}
}

void mcr_netdev_unregister(struct mcr_net *mn, struct net_device *dev)
{
	struct mcr_rule *rule;
	unsigned long id;

	ASSERT_RTNL();
	mcr_net_flush(mn, dev->ifindex, true);
	xa_for_each(&mn->rules, id, rule)
		mcr_rule_drop_dev_outputs(mn, rule, dev);
}
