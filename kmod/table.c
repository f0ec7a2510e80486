// SPDX-License-Identifier: GPL-2.0
/*
 * mcr: the rule table. Each input device with rules has a hash of its rules
 * by group, one per family; a bucket keeps more specific rules first, so
 * the first match is the best one. Writers hold RTNL; the packet path reads
 * under RCU.
 */
#include <linux/hash.h>
#include <linux/igmp.h>
#include <linux/inetdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/ipv6.h>

#include "compat.h"
#include "mcr.h"

static struct hlist_head *mcr_bucket(const struct mcr_dev *mdev, __be32 group)
{
	return (struct hlist_head *)
		&mdev->rules[hash_32((__force u32)group, MCR_DEV_HASH_BITS)];
}

static struct hlist_head *mcr_bucket6(const struct mcr_dev *mdev,
				      const struct in6_addr *group)
{
	return (struct hlist_head *)
		&mdev->rules6[hash_32(ipv6_addr_hash(group), MCR_DEV_HASH_BITS)];
}

static struct hlist_head *mcr_key_bucket(const struct mcr_dev *mdev,
					 const struct mcr_key *key)
{
	if (key->family == AF_INET6)
		return mcr_bucket6(mdev, &key->group.in6);
	return mcr_bucket(mdev, key->group.ip);
}

/* (S,G,port) > (*,G,port) > (S,G,any) > (*,G,any) */
unsigned int mcr_key_specificity(const struct mcr_key *key)
{
	return (key->port ? 2 : 0) + (ipv6_addr_any(&key->source.in6) ? 0 : 1);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_key_specificity);

static bool mcr_key_equal(const struct mcr_key *a, const struct mcr_key *b)
{
	return a->family == b->family &&
	       ipv6_addr_equal(&a->group.in6, &b->group.in6) &&
	       ipv6_addr_equal(&a->source.in6, &b->source.in6) &&
	       a->port == b->port;
}

struct mcr_rule *mcr_dev_lookup(const struct mcr_dev *mdev, __be32 daddr,
				__be32 saddr, __be16 dport)
{
	struct mcr_rule *rule;

	hlist_for_each_entry_rcu(rule, mcr_bucket(mdev, daddr), hash_node) {
		if (rule->key.group.ip == daddr &&
		    (!rule->key.source.ip || rule->key.source.ip == saddr) &&
		    (!rule->key.port || rule->key.port == dport))
			return rule;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_dev_lookup);

struct mcr_rule *mcr_dev_lookup6(const struct mcr_dev *mdev,
				 const struct in6_addr *daddr,
				 const struct in6_addr *saddr, __be16 dport)
{
	struct mcr_rule *rule;

	hlist_for_each_entry_rcu(rule, mcr_bucket6(mdev, daddr), hash_node) {
		if (ipv6_addr_equal(&rule->key.group.in6, daddr) &&
		    (ipv6_addr_any(&rule->key.source.in6) ||
		     ipv6_addr_equal(&rule->key.source.in6, saddr)) &&
		    (!rule->key.port || rule->key.port == dport))
			return rule;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_dev_lookup6);

/* Link rule into its bucket after the rules at least as specific as it. */
void mcr_dev_link_rule(struct mcr_dev *mdev, struct mcr_rule *rule)
{
	unsigned int spec = mcr_key_specificity(&rule->key);
	struct hlist_head *head = mcr_key_bucket(mdev, &rule->key);
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
	hlist_for_each_entry(rule, mcr_key_bucket(mdev, key), hash_node)
		if (mcr_key_equal(&rule->key, key))
			return rule;
	return NULL;
}

/*
 * The output index (mcr_net.out_devs): a device that goes away costs what
 * it is used by, not a walk of every rule and output of the namespace.
 */
static void mcr_use_del(struct mcr_net *mn, u32 id, int ifindex,
			unsigned long count)
{
	struct xarray *uses = xa_load(&mn->out_devs, ifindex);
	unsigned long n = xa_to_value(xa_load(uses, id));

	if (n > count) {
		/* Replaces an entry: allocates nothing, cannot fail. */
		xa_store(uses, id, xa_mk_value(n - count), GFP_KERNEL);
		return;
	}
	xa_erase(uses, id);
	if (xa_empty(uses)) {
		xa_erase(&mn->out_devs, ifindex);
		kfree(uses);
	}
}

static int mcr_use_add(struct mcr_net *mn, u32 id, int ifindex)
{
	struct xarray *uses = xa_load(&mn->out_devs, ifindex);
	void *entry;
	int err;

	if (!uses) {
		uses = kmalloc(sizeof(*uses), MCR_GFP);
		if (!uses)
			return -ENOMEM;
		xa_init(uses);
		err = xa_insert(&mn->out_devs, ifindex, uses, MCR_GFP);
		if (err) {
			kfree(uses);
			return err;
		}
	}
	entry = xa_load(uses, id);
	err = xa_err(xa_store(uses, id,
			      xa_mk_value(entry ? xa_to_value(entry) + 1 : 1),
			      MCR_GFP));
	if (err && xa_empty(uses)) {
		xa_erase(&mn->out_devs, ifindex);
		kfree(uses);
	}
	return err;
}

static void mcr_uses_del(struct mcr_net *mn, u32 id,
			 const struct mcr_outputs *outs, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		mcr_use_del(mn, id, outs->out[i].dev->ifindex, 1);
}

/* Index the outputs of rule id; all or nothing. */
static int mcr_uses_add(struct mcr_net *mn, u32 id,
			const struct mcr_outputs *outs)
{
	unsigned int i;
	int err;

	for (i = 0; i < outs->count; i++) {
		err = mcr_use_add(mn, id, outs->out[i].dev->ifindex);
		if (err) {
			mcr_uses_del(mn, id, outs, i);
			return err;
		}
	}
	return 0;
}

struct mcr_outputs *mcr_outputs_alloc(unsigned int count)
{
	struct mcr_outputs *outs;
	unsigned int i;

	outs = kvzalloc(struct_size(outs, out, count), MCR_GFP);
	if (!outs)
		return NULL;
	outs->count = count;
	for (i = 0; i < count; i++) {
		outs->out[i].stats =
			__netdev_alloc_pcpu_stats(struct mcr_output_pcpu_stats,
						  MCR_GFP);
		if (!outs->out[i].stats) {
			mcr_outputs_free(outs);
			return NULL;
		}
	}
	return outs;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_outputs_alloc);

/* Frees an output set no packet can see any more. */
void mcr_outputs_free(struct mcr_outputs *outs)
{
	unsigned int i;

	if (!outs)
		return;
	for (i = 0; i < outs->count; i++) {
		if (outs->out[i].moved)
			continue;
		if (!outs->out[i].stats_moved) {
			free_percpu(outs->out[i].stats);
			kfree(outs->out[i].stats_base);
		}
		netdev_put(outs->out[i].dev, &outs->out[i].dev_tracker);
	}
	kvfree(outs);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_outputs_free);

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

	rule = kzalloc(sizeof(*rule), MCR_GFP);
	if (!rule)
		return NULL;
	rule->stats = __netdev_alloc_pcpu_stats(struct mcr_rule_pcpu_stats,
						MCR_GFP);
	if (!rule->stats) {
		kfree(rule);
		return NULL;
	}
	return rule;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_rule_alloc);

void mcr_rule_free(struct mcr_rule *rule)
{
	mcr_outputs_free(rcu_dereference_protected(rule->outputs, true));
	free_percpu(rule->stats);
	kfree(rule);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_rule_free);

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
	mdev = kzalloc(sizeof(*mdev), MCR_GFP);
	if (!mdev) {
		NL_SET_ERR_MSG(extack, MCR_NOMEM_MSG);
		return ERR_PTR(-ENOMEM);
	}
	mdev->mn = mn;
	mdev->dev = dev;
	INIT_LIST_HEAD(&mdev->rule_list);
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

/* (*,G) of IPv6: an MLD membership, as a socket's IPV6_JOIN_GROUP takes. */
static void mcr_rule_update_join6(struct mcr_rule *rule, bool join)
{
	struct net_device *dev = rule->mdev->dev;

	if (!ipv6_addr_is_multicast(&rule->key.group.in6))
		return;
	/* (S,G): source-specific, through a socket, as for IPv4. */
	if (!ipv6_addr_any(&rule->key.source.in6)) {
		mcr_join_source(rule, join);
		return;
	}
	if (rule->joined == join)
		return;
	/* A device without IPv6 has no membership to hold or to drop. */
	if (!__in6_dev_get(dev))
		join = false;
	else if (join)
		join = !ipv6_dev_mc_inc(dev, &rule->key.group.in6);
	else
		ipv6_dev_mc_dec(dev, &rule->key.group.in6);
	rule->joined = join;
}

void mcr_rule_update_join(struct mcr_rule *rule, bool join)
{
	struct in_device *in_dev;

	if (rule->key.family == AF_INET6) {
		mcr_rule_update_join6(rule, join);
		return;
	}
	if (!ipv4_is_multicast(rule->key.group.ip))
		return;
	/* (S,G): source-specific, through a socket; kept across in_devices. */
	if (rule->key.source.ip) {
		mcr_join_source(rule, join);
		return;
	}
	if (rule->joined == join)
		return;
	in_dev = __in_dev_get_rtnl(rule->mdev->dev);
	/* A device without IPv4 has no membership to hold or to drop. */
	if (!in_dev)
		join = false;
	else if (join)
		ip_mc_inc_group(in_dev, rule->key.group.ip);
	else
		ip_mc_dec_group(in_dev, rule->key.group.ip);
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
	struct mcr_outputs *outs = rcu_dereference_rtnl(rule->outputs);
	struct mcr_dev *mdev;
	int err;

	ASSERT_RTNL();
	/*
	 * Reserve the id only: readers walk mn->rules under RCU, without
	 * RTNL, and must not find the rule before its device is set.
	 */
	err = xa_alloc_cyclic(&mn->rules, &rule->id, NULL, xa_limit_32b,
			      &mn->next_id, MCR_GFP);
	if (err < 0) {
		if (err == -EBUSY)
			NL_SET_ERR_MSG(extack, "no rule id available");
		else
			NL_SET_ERR_MSG(extack, MCR_NOMEM_MSG);
		return err;
	}
	err = mcr_uses_add(mn, rule->id, outs);
	if (err) {
		NL_SET_ERR_MSG(extack, MCR_NOMEM_MSG);
		goto err_id;
	}
	mdev = mcr_dev_get(mn, dev, extack);
	if (IS_ERR(mdev)) {
		err = PTR_ERR(mdev);
		mcr_uses_del(mn, rule->id, outs, outs->count);
		goto err_id;
	}
	rule->mdev = mdev;
	list_add_tail(&rule->dev_node, &mdev->rule_list);
	mdev->rule_count++;
	mn->rule_count++;
	mn->output_count += outs->count;

	mcr_dev_link_rule(mdev, rule);
	/* Into its reserved slot: allocates nothing. */
	WARN_ON_ONCE(xa_err(xa_store(&mn->rules, rule->id, rule, 0)));
	mcr_net_changed(mn);

	mcr_rule_update_join(rule, !(rule->flags & MCR_RULE_FLAGS_NOJOIN));
	return 0;

err_id:
	xa_erase(&mn->rules, rule->id);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_rule_insert);

/* Unlink a rule and free it after the packets that may see it are done. */
void mcr_rule_remove(struct mcr_net *mn, struct mcr_rule *rule)
{
	struct mcr_outputs *outs = rcu_dereference_rtnl(rule->outputs);
	struct mcr_dev *mdev = rule->mdev;

	ASSERT_RTNL();
	mcr_rule_update_join(rule, false);
	hlist_del_rcu(&rule->hash_node);
	list_del(&rule->dev_node);
	xa_erase(&mn->rules, rule->id);
	mcr_uses_del(mn, rule->id, outs, outs->count);
	mn->rule_count--;
	mn->output_count -= outs->count;
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
	return a->dev == b->dev &&
	       ipv6_addr_equal(&a->daddr.in6, &b->daddr.in6) &&
	       a->port == b->port && a->ttl == b->ttl &&
	       ipv6_addr_equal(&a->saddr.in6, &b->saddr.in6) &&
	       a->source_auto == b->source_auto;
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
			out->stats_base = o->stats_base;
			o->stats_moved = true;
			break;
		}
	}
}

/*
 * Swap a rule's outputs in one pointer store: old set or new, never a mix.
 * Unchanged outputs keep their counters. Fails (ENOMEM) only before the
 * swap, changing nothing; the caller then still owns outs.
 */
int mcr_rule_set_outputs(struct mcr_net *mn, struct mcr_rule *rule,
			 struct mcr_outputs *outs)
{
	struct mcr_outputs *old = rcu_dereference_rtnl(rule->outputs);
	int err;

	err = mcr_uses_add(mn, rule->id, outs);
	if (err)
		return err;
	mcr_outputs_keep_stats(old, outs);
	rcu_assign_pointer(rule->outputs, outs);
	mcr_uses_del(mn, rule->id, old, old->count);

	mn->output_count += outs->count;
	mn->output_count -= old->count;
	mcr_net_changed(mn);
	mcr_outputs_free_rcu(old);
	return 0;
}

/* Delete every rule, or those on one input device; returns how many. */
unsigned int mcr_net_flush(struct mcr_net *mn, int ifindex, bool notify)
{
	unsigned int n = 0, left;
	struct mcr_rule *rule;
	struct mcr_dev *mdev;
	unsigned long id;

	ASSERT_RTNL();
	if (!ifindex) {
		xa_for_each(&mn->rules, id, rule) {
			if (notify)
				mcr_nl_notify_rule(mn, rule,
						   MCR_CMD_RULE_DEL_NTF, NULL);
			mcr_rule_remove(mn, rule);
			n++;
		}
		return n;
	}
	mdev = mcr_dev_find(mn, ifindex);
	if (!mdev)
		return 0;
	/* The last removal frees mdev: count, and do not look at it after. */
	for (left = mdev->rule_count; left; left--, n++) {
		rule = list_first_entry(&mdev->rule_list, struct mcr_rule,
					dev_node);
		if (notify)
			mcr_nl_notify_rule(mn, rule, MCR_CMD_RULE_DEL_NTF, NULL);
		mcr_rule_remove(mn, rule);
	}
	return n;
}

/*
 * How many of outs are on dev. Called once for each rule a device's
 * unregister looks at: KUnit counts the calls (a static stub) to prove
 * that those are the rules the device is used by, not all of them.
 */
VISIBLE_IF_KUNIT unsigned int mcr_outputs_on_dev(const struct mcr_outputs *outs,
						 const struct net_device *dev)
{
	unsigned int i, n = 0;

	KUNIT_STATIC_STUB_REDIRECT(mcr_outputs_on_dev, outs, dev);
	for (i = 0; i < outs->count; i++)
		n += outs->out[i].dev == dev;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(mcr_outputs_on_dev);

/* Drop the outputs on dev from rule, keeping the rule. */
static void mcr_rule_drop_dev_outputs(struct mcr_net *mn,
				      struct mcr_rule *rule,
				      const struct net_device *dev)
{
	struct mcr_outputs *old = rcu_dereference_rtnl(rule->outputs);
	struct mcr_outputs *outs;
	unsigned int gone = mcr_outputs_on_dev(old, dev);
	unsigned int i, j;

	/* The index said otherwise: mend it, so that the caller goes on. */
	if (WARN_ON_ONCE(!gone)) {
		mcr_use_del(mn, rule->id, dev->ifindex, ULONG_MAX);
		return;
	}

	/* Not a request: whoever unregisters the device does not pay. */
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
	memcpy(outs->name, old->name, sizeof(outs->name));
	for (i = 0, j = 0; i < old->count; i++) {
		if (old->out[i].dev == dev)
			continue;
		outs->out[j++] = old->out[i];
		old->out[i].moved = true;
	}
	rcu_assign_pointer(rule->outputs, outs);
	mcr_use_del(mn, rule->id, dev->ifindex, gone);
	mn->output_count -= gone;
	mn->outputs_removed += gone;
	mcr_net_changed(mn);
	/* Names the outputs that left: before old can be freed. */
	mcr_nl_notify_output_del(mn, rule, old, dev, gone);
	mcr_outputs_free_rcu(old);
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
	bool has_inet6 = __in6_dev_get(dev);
	struct mcr_rule *rule;
	struct mcr_dev *mdev;

	ASSERT_RTNL();
	mdev = mcr_dev_find(mn, dev->ifindex);
	if (!mdev)
		return;
	list_for_each_entry(rule, &mdev->rule_list, dev_node) {
		if (!(rule->key.family == AF_INET6 ? has_inet6 : has_inet))
			rule->joined = false;
		else
			mcr_rule_update_join(rule, !(rule->flags &
						     MCR_RULE_FLAGS_NOJOIN));
	}
}

/* dev is going: the rules on it go, and its outputs leave their rules. */
void mcr_netdev_unregister(struct mcr_net *mn, struct net_device *dev)
{
	struct mcr_rule *rule;
	struct xarray *uses;
	unsigned long id;

	ASSERT_RTNL();
	mcr_net_flush(mn, dev->ifindex, true);
	/* Each step takes dev's entry of one rule out of the index. */
	while ((uses = xa_load(&mn->out_devs, dev->ifindex))) {
		id = 0;
		xa_find(uses, &id, ULONG_MAX, XA_PRESENT);
		rule = xa_load(&mn->rules, id);
		if (WARN_ON_ONCE(!rule)) {
			mcr_use_del(mn, id, dev->ifindex, ULONG_MAX);
			continue;
		}
		mcr_rule_drop_dev_outputs(mn, rule, dev);
	}
}
