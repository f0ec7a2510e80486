// SPDX-License-Identifier: GPL-2.0
/*
 * mcr: in-kernel multicast UDP relay. Module life: parameters, per-netns
 * state, the device notifier and the generic netlink family.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "mcr.h"

/*
 * Upper bounds on the limits: a namespace's rules are walked when it
 * goes, and a rule at the output limit must still fit, with its
 * counters, in one 128 KiB reply, which is what YNL and mcr-nl read
 * by default.
 */
#define MCR_MAX_RULES_BOUND	65536
#define MCR_MAX_OUTPUTS_BOUND	1024

unsigned int mcr_max_rules = 4096;
unsigned int mcr_max_outputs = 1024;

static int mcr_max_rules_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, MCR_MAX_RULES_BOUND);
}

static int mcr_max_outputs_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, MCR_MAX_OUTPUTS_BOUND);
}

static const struct kernel_param_ops mcr_max_rules_ops = {
	.set = mcr_max_rules_set,
	.get = param_get_uint,
};

static const struct kernel_param_ops mcr_max_outputs_ops = {
	.set = mcr_max_outputs_set,
	.get = param_get_uint,
};

module_param_cb(max_rules, &mcr_max_rules_ops, &mcr_max_rules, 0644);
MODULE_PARM_DESC(max_rules,
		 "Maximum rules per network namespace (1-65536, default 4096)");
module_param_cb(max_outputs_per_rule, &mcr_max_outputs_ops, &mcr_max_outputs,
		0644);
MODULE_PARM_DESC(max_outputs_per_rule,
		 "Maximum outputs of one rule (1-1024, default 1024)");

struct workqueue_struct *mcr_wq;
static unsigned int mcr_net_id __read_mostly;

struct mcr_net *mcr_net(const struct net *net)
{
	return net_generic(net, mcr_net_id);
}
EXPORT_SYMBOL_IF_KUNIT(mcr_net);

static int __net_init mcr_net_init(struct net *net)
{
	struct mcr_net *mn = mcr_net(net);

	mn->net = net;
	INIT_LIST_HEAD(&mn->devs);
	xa_init_flags(&mn->rules, XA_FLAGS_ALLOC1);
	xa_init(&mn->out_devs);
	mn->gen = 1;	/* never 0: a dump's first generation */
	mcr_join_net_init(mn);
	mn->stats = netdev_alloc_pcpu_stats(struct mcr_net_pcpu_stats);
	return mn->stats ? 0 : -ENOMEM;
}

/*
 * Namespaces go in batches: one RTNL section and at most one grace period
 * for all of them, not one each.
 */
static void __net_exit mcr_net_exit_batch(struct list_head *net_exit_list)
{
	unsigned int flushed = 0;
	struct mcr_net *mn;
	struct net *net;

	/* Devices usually left first, taking their rules with them. */
	rtnl_lock();
	list_for_each_entry(net, net_exit_list, exit_list) {
		mn = mcr_net(net);
		flushed += mcr_net_flush(mn, 0, false);
		WARN_ON_ONCE(!list_empty(&mn->devs));
		WARN_ON_ONCE(!xa_empty(&mn->out_devs));
	}
	rtnl_unlock();
	/* Rules are gone: no join can be queued any more. */
	list_for_each_entry(net, net_exit_list, exit_list)
		mcr_join_net_exit(mcr_net(net));
	/* A packet still in an unhooked hook may count into mn->stats. */
	if (flushed)
		synchronize_net();
	list_for_each_entry(net, net_exit_list, exit_list) {
		mn = mcr_net(net);
		xa_destroy(&mn->rules);
		free_percpu(mn->stats);
	}
}

static struct pernet_operations mcr_net_ops = {
	.init = mcr_net_init,
	.exit_batch = mcr_net_exit_batch,
	.id   = &mcr_net_id,
	.size = sizeof(struct mcr_net),
};

static int mcr_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_UNREGISTER:
		/* Also sent when a device leaves for another namespace. */
		mcr_netdev_unregister(mcr_net(dev_net(dev)), dev);
		break;
	case NETDEV_CHANGEMTU:
		/*
		 * inetdev_event() and addrconf_notify(), registered before
		 * this notifier and so called first, destroy or create the
		 * in_device (MTU below 68) and the inet6_dev (below 1280).
		 */
		mcr_netdev_inet_changed(mcr_net(dev_net(dev)), dev);
		mcr_join_inet_changed(mcr_net(dev_net(dev)), dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block mcr_netdev_notifier = {
	.notifier_call = mcr_netdev_event,
};

static int __init mcr_init(void)
{
	int err;

	mcr_wq = alloc_workqueue("mcr", 0, 0);
	if (!mcr_wq)
		return -ENOMEM;
	err = register_pernet_subsys(&mcr_net_ops);
	if (err)
		goto err_wq;
	err = register_netdevice_notifier(&mcr_netdev_notifier);
	if (err)
		goto err_pernet;
	err = mcr_nl_init();
	if (err)
		goto err_notifier;
	return 0;

err_notifier:
	unregister_netdevice_notifier(&mcr_netdev_notifier);
err_pernet:
	unregister_pernet_subsys(&mcr_net_ops);
err_wq:
	destroy_workqueue(mcr_wq);
	return err;
}

static void __exit mcr_exit(void)
{
	/*
	 * The family goes first, so that no rule can be added once the
	 * notifier is gone: such a rule would hold its devices with nothing
	 * to let them go, and their namespace could not be destroyed.
	 * Unregistering the notifier then replays NETDEV_UNREGISTER for every
	 * device, which deletes every rule; the netns exit frees what is left.
	 */
	mcr_nl_exit();
	unregister_netdevice_notifier(&mcr_netdev_notifier);
	unregister_pernet_subsys(&mcr_net_ops);
	/* Let hook entries and deferred frees queued above run out. */
	rcu_barrier();
	destroy_workqueue(mcr_wq);
	mcr_xmit_exit();
}

module_init(mcr_init);
module_exit(mcr_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The mcr developers");
MODULE_DESCRIPTION("In-kernel multicast UDP relay");
MODULE_VERSION("0.1.0");
MODULE_ALIAS_GENL_FAMILY(MCR_FAMILY_NAME);
