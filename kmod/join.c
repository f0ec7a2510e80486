// SPDX-License-Identifier: GPL-2.0
/*
 * mcr: source-specific joins. An (S,G) rule joins as a socket's
 * MCAST_JOIN_SOURCE_GROUP would (IGMPv3 or MLDv2 INCLUDE {S}): in SSM
 * ranges, routers and snooping switches forward only what was joined so.
 * The kernel exports no source-specific join but the socket option, so the
 * memberships are those of kernel sockets, one pool per netns and family.
 *
 * The socket option takes RTNL, which every configuration path holds:
 * the joins are left to a work item, which drops RTNL around each one.
 * Leaves do not need the option (ip_mc_leave_group() and
 * ipv6_sock_mc_drop() expect RTNL held) and are done at once, so a deleted
 * rule leaves before its call returns.
 *
 * A socket holds at most one source of a (group, device), so that a
 * membership is left whole; the kernel merges the sockets' sources per
 * device. The rules of one (S, G, device) share one membership.
 * Everything here is under RTNL, but the socket option.
 */
#include <linux/hash.h>
#include <linux/igmp.h>
#include <linux/in.h>
#include <linux/inetdevice.h>
#include <linux/net.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "mcr.h"

/* A socket of the pool. */
struct mcr_join_sock {
	struct list_head node;		/* in mcr_join_net.socks */
	struct socket *sock;
	unsigned int count;		/* memberships placed on it */
	u8 family;			/* of the socket and its memberships */
	bool full;			/* at igmp_max_memberships, or so */
};

/* A source-specific membership, shared by the rules of one key. */
struct mcr_join {
	struct hlist_node node;		/* in mcr_join_net.hash */
	struct hlist_node dev_node;	/* in mcr_join_net.by_dev */
	struct list_head pending;	/* in mcr_join_net.pending: to join */
	union mcr_addr group;
	union mcr_addr source;
	u8 family;
	int ifindex;
	unsigned int refs;		/* rules holding it */
	struct mcr_join_sock *js;	/* its socket, while joined or busy */
	bool joined;			/* the socket holds it */
	bool busy;			/* the work is joining it, without RTNL */
	bool stale;			/* the in_device went while busy */
};

static struct hlist_head *mcr_join_bucket(struct mcr_join_net *jn,
					  const union mcr_addr *group)
{
	return &jn->hash[hash_32(ipv6_addr_hash(&group->in6),
				 MCR_JOIN_HASH_BITS)];
}

/* The membership of key on ifindex; addresses of either family compare whole. */
static struct mcr_join *mcr_join_find(struct mcr_join_net *jn,
				      const struct mcr_key *key, int ifindex)
{
	struct mcr_join *j;

	hlist_for_each_entry(j, mcr_join_bucket(jn, &key->group), node)
		if (j->family == key->family &&
		    ipv6_addr_equal(&j->group.in6, &key->group.in6) &&
		    ipv6_addr_equal(&j->source.in6, &key->source.in6) &&
		    j->ifindex == ifindex)
			return j;
	return NULL;
}

static void mcr_join_queue(struct mcr_join_net *jn, struct mcr_join *j)
{
	if (list_empty(&j->pending))
		list_add_tail(&j->pending, &jn->pending);
	queue_work(mcr_wq, &jn->work);
}

/*
 * Drop the socket's membership of j's group on j's device, if it has one.
 * ip_mc_leave_group() drops from the device only what it finds on the
 * socket, so this never drops another's membership as long as the socket
 * holds none taken on an in_device since destroyed: mcr_join_inet_changed()
 * sees to that.
 */
static void mcr_join_leave(struct mcr_join *j)
{
	struct ip_mreqn mreq = {
		.imr_multiaddr.s_addr = j->group.ip,
		.imr_ifindex = j->ifindex,
	};
	struct sock *sk;

	ASSERT_RTNL();
	j->joined = false;
	if (!j->js)
		return;
	sk = j->js->sock->sk;
	lock_sock(sk);
	if (j->family == AF_INET6)
		ipv6_sock_mc_drop(sk, j->ifindex, &j->group.in6);
	else
		ip_mc_leave_group(sk, &mreq);
	release_sock(sk);
}

/* Leave, and give the socket's place back. */
static void mcr_join_release(struct mcr_join_net *jn, struct mcr_join *j)
{
	struct mcr_join_sock *js = j->js;

	mcr_join_leave(j);
	if (!js)
		return;
	j->js = NULL;
	js->full = false;
	/* An empty socket is released by the work, outside RTNL. */
	if (!--js->count)
		queue_work(mcr_wq, &jn->work);
}

static void mcr_join_free(struct mcr_join_net *jn, struct mcr_join *j)
{
	mcr_join_release(jn, j);
	hlist_del(&j->node);
	hash_del(&j->dev_node);
	list_del(&j->pending);
	kfree(j);
}

/* Take (join) or drop (!join) rule's share of its (S,G) membership. */
void mcr_join_source(struct mcr_rule *rule, bool join)
{
	struct mcr_join_net *jn = &rule->mdev->mn->join;
	int ifindex = rule->mdev->dev->ifindex;
	struct mcr_join *j = rule->join;

	ASSERT_RTNL();
	if (join == !!j)
		return;
	if (!join) {
		rule->join = NULL;
		/* A busy membership is freed by the work when it is done. */
		if (!--j->refs && !j->busy)
			mcr_join_free(jn, j);
		return;
	}
	j = mcr_join_find(jn, &rule->key, ifindex);
	if (!j) {
		j = kzalloc(sizeof(*j), MCR_GFP);
		/* Not joined; the next update of the rule tries again. */
		if (!j)
			return;
		j->group = rule->key.group;
		j->source = rule->key.source;
		j->family = rule->key.family;
		j->ifindex = ifindex;
		INIT_LIST_HEAD(&j->pending);
		hlist_add_head(&j->node, mcr_join_bucket(jn, &j->group));
		hash_add(jn->by_dev, &j->dev_node, j->ifindex);
		mcr_join_queue(jn, j);
	}
	j->refs++;
	rule->join = j;
}

/*
 * dev's in_device or inet6_dev was destroyed (MTU below 68 or 1280) or
 * made again. Memberships die with it, but the socket still lists them:
 * forget them there now, while there is none for ip_mc_leave_group() or
 * ipv6_sock_mc_drop() to touch, and join again on the new one. Memberships
 * no rule holds any more but that the work is still joining count too:
 * looked up by device, not through the device's rules.
 */
void mcr_join_inet_changed(struct mcr_net *mn, struct net_device *dev)
{
	bool has_inet6 = __in6_dev_get(dev);
	bool has_inet = __in_dev_get_rtnl(dev);
	struct mcr_join_net *jn = &mn->join;
	struct mcr_join *j;

	ASSERT_RTNL();
	hash_for_each_possible(jn->by_dev, j, dev_node, dev->ifindex) {
		if (j->ifindex != dev->ifindex)
			continue;
		if (!(j->family == AF_INET6 ? has_inet6 : has_inet)) {
			/* A join in flight may have landed on the old one. */
			if (j->busy) {
				j->stale = true;
				mcr_join_leave(j);
			} else {
				mcr_join_release(jn, j);
			}
		} else if (j->refs && !j->joined && !j->busy) {
			mcr_join_queue(jn, j);
		}
	}
}

/* A socket that holds no membership of j's group on j's device. */
static struct mcr_join_sock *mcr_join_pick(struct mcr_join_net *jn,
					   const struct mcr_join *j)
{
	struct mcr_join_sock *js;
	struct mcr_join *o;

	list_for_each_entry(js, &jn->socks, node) {
		if (js->full || js->family != j->family)
			continue;
		hlist_for_each_entry(o, mcr_join_bucket(jn, &j->group), node)
			if (o->js == js &&
			    ipv6_addr_equal(&o->group.in6, &j->group.in6) &&
			    o->ifindex == j->ifindex)
				break;
		if (!o)
			return js;
	}
	return NULL;
}

static int mcr_join_setsockopt(struct socket *sock, const struct mcr_join *j)
{
	struct group_source_req gsr = { .gsr_interface = j->ifindex };
	struct sockaddr_in6 *group6 = (struct sockaddr_in6 *)&gsr.gsr_group;
	struct sockaddr_in6 *source6 = (struct sockaddr_in6 *)&gsr.gsr_source;
	struct sockaddr_in *group = (struct sockaddr_in *)&gsr.gsr_group;
	struct sockaddr_in *source = (struct sockaddr_in *)&gsr.gsr_source;

	if (j->family == AF_INET6) {
		group6->sin6_family = AF_INET6;
		group6->sin6_addr = j->group.in6;
		source6->sin6_family = AF_INET6;
		source6->sin6_addr = j->source.in6;
		return sock->ops->setsockopt(sock, SOL_IPV6,
					     MCAST_JOIN_SOURCE_GROUP,
					     KERNEL_SOCKPTR(&gsr), sizeof(gsr));
	}
	group->sin_family = AF_INET;
	group->sin_addr.s_addr = j->group.ip;
	source->sin_family = AF_INET;
	source->sin_addr.s_addr = j->source.ip;
	return sock->ops->setsockopt(sock, SOL_IP, MCAST_JOIN_SOURCE_GROUP,
				     KERNEL_SOCKPTR(&gsr), sizeof(gsr));
}

/*
 * Whether err says the socket is at a limit of its own, so that another
 * might take the membership: IPv4's igmp_max_memberships (ENOBUFS), or
 * the option memory of an IPv6 socket (optmem_max: ENOMEM).
 */
static bool mcr_join_sock_full(const struct mcr_join *j, int err)
{
	return j->family == AF_INET6 ? err == -ENOMEM : err == -ENOBUFS;
}

/* Join j on a socket of the pool. Called and returns with RTNL held. */
static int mcr_join_one(struct mcr_net *mn, struct mcr_join *j)
{
	struct mcr_join_net *jn = &mn->join;
	struct mcr_join_sock *js;
	int err;

	js = mcr_join_pick(jn, j);
	if (!js) {
		rtnl_unlock();
		js = kzalloc(sizeof(*js), GFP_KERNEL_ACCOUNT);
		err = js ? sock_create_kern(mn->net, j->family, SOCK_DGRAM,
					    IPPROTO_UDP, &js->sock) : -ENOMEM;
		rtnl_lock();
		if (err) {
			kfree(js);
			return err;
		}
		js->family = j->family;
		list_add_tail(&js->node, &jn->socks);
	}
	js->count++;
	j->js = js;
	/* j, busy, stays; js, not empty, is not released meanwhile. */
	rtnl_unlock();
	err = mcr_join_setsockopt(js->sock, j);
	rtnl_lock();
	return err;
}

static void mcr_join_warn(struct mcr_net *mn, const struct mcr_join *j,
			  int err)
{
	struct net_device *dev = __dev_get_by_index(mn->net, j->ifindex);
	const char *name = dev ? dev->name : "?";

	if (j->family == AF_INET6)
		pr_warn_ratelimited("mcr: cannot join %pI6c from %pI6c on %s: error %d\n",
				    &j->group.in6, &j->source.in6, name, err);
	else if (err == -ENOBUFS)
		pr_warn_ratelimited("mcr: cannot join %pI4 from %pI4 on %s: net.ipv4.igmp_max_memberships or igmp_max_msf is 0\n",
				    &j->group.ip, &j->source.ip, name);
	else
		pr_warn_ratelimited("mcr: cannot join %pI4 from %pI4 on %s: error %d\n",
				    &j->group.ip, &j->source.ip, name, err);
}

static void mcr_join_done(struct mcr_net *mn, struct mcr_join *j, int err)
{
	struct mcr_join_net *jn = &mn->join;
	struct mcr_join_sock *js = j->js;

	if (j->stale) {
		/* Whatever landed is on the new in_device, or gone: undo. */
		j->stale = false;
		mcr_join_release(jn, j);
		if (j->refs)
			mcr_join_queue(jn, j);
	} else if (mcr_join_sock_full(j, err) && js && js->count > 1) {
		/* This socket is at a per-socket limit: try another. */
		mcr_join_release(jn, j);
		js->full = true;
		if (j->refs)
			mcr_join_queue(jn, j);
	} else if (err) {
		/*
		 * Undo a join that got the group but not the source. Tried
		 * again on the device's next MTU change, or when rules take
		 * the membership anew. No in_device is no news: joined when
		 * it comes.
		 */
		mcr_join_release(jn, j);
		if (err != -ENODEV)
			mcr_join_warn(mn, j, err);
	} else {
		j->joined = true;
	}
	if (!j->refs)
		mcr_join_free(jn, j);
}

static void mcr_join_work(struct work_struct *work)
{
	struct mcr_net *mn = container_of(work, struct mcr_net, join.work);
	struct mcr_join_net *jn = &mn->join;
	struct mcr_join_sock *js, *tmp;
	struct mcr_join *j;
	LIST_HEAD(empty);
	int err;

	rtnl_lock();
	while ((j = list_first_entry_or_null(&jn->pending, struct mcr_join,
					     pending))) {
		list_del_init(&j->pending);
		if (!j->refs || j->joined || j->busy)
			continue;
		j->busy = true;
		err = mcr_join_one(mn, j);
		j->busy = false;
		mcr_join_done(mn, j, err);
	}
	list_for_each_entry_safe(js, tmp, &jn->socks, node)
		if (!js->count)
			list_move(&js->node, &empty);
	rtnl_unlock();

	/* Nothing joined on them: no RTNL to take, but they may. */
	list_for_each_entry_safe(js, tmp, &empty, node) {
		sock_release(js->sock);
		kfree(js);
	}
}

void mcr_join_net_init(struct mcr_net *mn)
{
	struct mcr_join_net *jn = &mn->join;

	hash_init(jn->hash);
	hash_init(jn->by_dev);
	INIT_LIST_HEAD(&jn->pending);
	INIT_LIST_HEAD(&jn->socks);
	INIT_WORK(&jn->work, mcr_join_work);
}

/* After the rules are gone: wait for the work, release the sockets. */
void mcr_join_net_exit(struct mcr_net *mn)
{
	struct mcr_join_net *jn = &mn->join;
	struct mcr_join_sock *js, *tmp;

	cancel_work_sync(&jn->work);
	WARN_ON_ONCE(!hash_empty(jn->hash) || !hash_empty(jn->by_dev));
	/* Any membership left (none should be) is dropped with its socket. */
	list_for_each_entry_safe(js, tmp, &jn->socks, node) {
		sock_release(js->sock);
		kfree(js);
	}
}
