// SPDX-License-Identifier: GPL-2.0
/*
 * mcr-udp: traffic generator and checker for the mcr selftests.
 *
 *   mcr-udp send --dst G --port P [--src ADDR] [--src-port SP] [--count N]
 *                [--rate PPS] [--size BYTES] [--ttl N] [--tos N] [--flow ID]
 *                [--iface DEV] [--start-seq N] [--duration-max S] [--keep-going]
 *                [--loop] [--raw [--dst-mac MAC]] [--gso N]
 *
 *   mcr-udp recv --iface DEV --group G --port P --expect N|any
 *                [--flow ID] [--start-seq N] [--timeout S] [--idle-ms MS]
 *                [--mode packet|socket|tun] [--src-port SP] [--saddr A] [--ttl N]
 *                [--tos N] [--allow-reorder] [--allow-dup] [--allow-partial-csum]
 *                [--ready-file PATH] [--json]
 *
 * Every datagram carries a header {magic, flow, seq, size} (network byte
 * order) followed by bytes derived from (flow, seq, offset), so the receiver
 * checks every byte of the payload without knowing anything but the flow.
 *
 * send: paces with absolute deadlines (clock_nanosleep TIMER_ABSTIME) so a
 * rate is honoured on average even when one send is late; --rate 0 sends as
 * fast as the socket allows. ENOBUFS (the first device dropped the packet;
 * reported thanks to IP_RECVERR) is retried with the same sequence number,
 * so "sent=N" counts packets that left the sender. Stops after --count
 * packets (0 = no limit), after --duration-max seconds, or on SIGTERM/SIGINT,
 * and prints "sent=N". Default TTL is 64 (not the multicast default of 1,
 * which a TTL-decrementing relay would drop). --loop leaves the host's own
 * multicast looping back (IP_MULTICAST_LOOP, off by default). --raw sends
 * frames of its own through an AF_PACKET socket on --iface: the IPv4 and UDP
 * headers (checksums complete) with --src as the source, whatever it is (a
 * martian one too), to --dst-mac (default: the multicast MAC of --dst).
 * --gso N hands the kernel N datagrams per send with UDP_SEGMENT, as one
 * GSO skb; each datagram still has a header and sequence number of its own.
 *
 * recv --mode packet (default): an AF_PACKET socket on DEV checks, for each
 * IPv4/UDP frame to G:P: the IP header checksum, the UDP checksum (0 = none
 * is fine; TP_STATUS_CSUMNOTREADY counts as bad, the relay promises complete
 * checksums), the destination MAC (the group's multicast MAC; none on a
 * device without a link layer header, such as a tunnel), the payload,
 * and optionally TTL, TOS, source address and source port. --allow-partial-csum accepts
 * CHECKSUM_PARTIAL frames unchecked (traffic straight from a local socket
 * over veth, which never had its checksum completed). --mode socket: a UDP socket bound
 * to G:P, joined on DEV (IP_MULTICAST_ALL off), checks payload, TTL and TOS.
 * --mode tun: attaches to the tun device DEV (IFF_TUN, IFF_NO_PI) as its
 * reader and checks what it is sent as packet mode does.
 *
 * Stops once --expect unique packets arrived and nothing more came for
 * --idle-ms (default 300), at --timeout (default 10 s), or on SIGTERM/SIGINT
 * (then after the idle time, to drain). --expect any: no count is required
 * and the receiver runs until the timeout or a signal; so does --expect 0,
 * which passes only if nothing at all arrived. Prints
 *   received=N unique=N dup=N reordered=N missing=N bad_payload=N bad_csum=N
 *   bad_mac=N bad_hdr=N other_flow=N sock_drops=N min_seq=N max_seq=N
 * (or JSON with --json, with per-flow details). "missing" counts the
 * sequence numbers absent from [start-seq, max seen] (with --expect any:
 * [min seen, max seen]), or expect - unique if that is larger.
 * Exit status: 0 if unique == expect (any count with --expect any) and all
 * bad_* counters, dup, reordered, missing and sock_drops are 0 (dup and
 * reordered allowed by --allow-dup / --allow-reorder); 1 otherwise; 2 on a
 * usage or setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC		0x4d435231u	/* "MCR1" */
#define HDR_LEN		20
#define MAX_PAYLOAD	65507
#define MAX_FLOWS	256
/* A flow's sequence window; beyond it a sequence number is a bad header. */
#define MAX_SEQ_SPAN	(1u << 26)

struct hdr {
	uint32_t magic;
	uint32_t flow;
	uint64_t seq;
	uint32_t size;
} __attribute__((packed));

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking send/poll must return EINTR. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mcr-udp: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static void die_errno(const char *what)
{
	fprintf(stderr, "mcr-udp: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint64_t parse_u64(const char *opt, const char *s, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!s || !*s || *s == '-')
		die("bad number for %s", opt);
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		die("bad number for %s", opt);
	return v;
}

static struct in_addr parse_addr(const char *opt, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("bad IPv4 address for %s", opt);
	return a;
}

static unsigned int parse_ifindex(const char *dev)
{
	unsigned int idx = if_nametoindex(dev);

	if (!idx)
		die("no such device: %s", dev);
	return idx;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* splitmix64: a fixed, well-mixed function of its input. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Byte i of the body (after the header) of packet (flow, seq). */
static void fill_body(uint8_t *p, size_t len, uint32_t flow, uint64_t seq)
{
	uint64_t base = ((uint64_t)flow << 32) ^ mix64(seq);
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v = mix64(base + i / 8);
		size_t j;

		for (j = 0; j < 8 && i + j < len; j++)
			p[i + j] = (uint8_t)(v >> (8 * j));
	}
}

static uint64_t htonll(uint64_t v)
{
	return ((uint64_t)htonl((uint32_t)v) << 32) | htonl((uint32_t)(v >> 32));
}

static uint64_t ntohll(uint64_t v)
{
	return htonll(v);
}

static void build_payload(uint8_t *buf, size_t size, uint32_t flow, uint64_t seq)
{
	struct hdr h = {
		.magic = htonl(MAGIC),
		.flow = htonl(flow),
		.seq = htonll(seq),
		.size = htonl((uint32_t)size),
	};

	memcpy(buf, &h, HDR_LEN);
	fill_body(buf + HDR_LEN, size - HDR_LEN, flow, seq);
}

/* ------------------------------------------------------------------ */
/* send                                                                */
/* ------------------------------------------------------------------ */

/* The Internet checksum's 32-bit sum of len bytes at p, added to sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * For --raw: the IPv4 and UDP headers in front of the payload at
 * frame + 28 (size bytes), checksums complete.
 */
static void build_headers(uint8_t *frame, size_t size, struct in_addr src,
			  struct in_addr dst, unsigned int sport,
			  unsigned int dport, unsigned int ttl,
			  unsigned int tos, uint16_t id)
{
	struct iphdr *iph = (struct iphdr *)frame;
	struct udphdr *uh = (struct udphdr *)(frame + sizeof(*iph));
	uint8_t pseudo[12];
	uint16_t ulen = (uint16_t)(sizeof(*uh) + size);
	uint16_t check;

	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = (uint8_t)tos;
	iph->tot_len = htons((uint16_t)(sizeof(*iph) + ulen));
	iph->id = htons(id);
	iph->ttl = (uint8_t)ttl;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = src.s_addr;
	iph->daddr = dst.s_addr;
	iph->check = htons(csum_fold(csum_add(0, frame, sizeof(*iph))));

	uh->source = htons((uint16_t)sport);
	uh->dest = htons((uint16_t)dport);
	uh->len = htons(ulen);
	uh->check = 0;
	memcpy(pseudo, &iph->saddr, 4);
	memcpy(pseudo + 4, &iph->daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	memcpy(pseudo + 10, &uh->len, 2);
	check = csum_fold(csum_add(csum_add(0, pseudo, sizeof(pseudo)),
				   (const uint8_t *)uh, ulen));
	uh->check = htons(check ? check : 0xffff);
}

static void parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		die("bad MAC address for --dst-mac: %s", s);
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			die("bad MAC address for --dst-mac: %s", s);
		mac[i] = (uint8_t)b[i];
	}
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "src", required_argument, NULL, 'S' },
		{ "src-port", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 'z' },
		{ "ttl", required_argument, NULL, 't' },
		{ "tos", required_argument, NULL, 'o' },
		{ "flow", required_argument, NULL, 'f' },
		{ "iface", required_argument, NULL, 'i' },
		{ "start-seq", required_argument, NULL, 'q' },
		{ "duration-max", required_argument, NULL, 'D' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "loop", no_argument, NULL, 'l' },
		{ "raw", no_argument, NULL, 'R' },
		{ "dst-mac", required_argument, NULL, 'M' },
		{ "gso", required_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dst = NULL, *iface = NULL, *src = NULL, *dst_mac = NULL;
	bool loop = false, raw = false;
	unsigned int gso = 1, batch, j;
	struct sockaddr_ll sll;
	const struct sockaddr *dest;
	socklen_t dest_len;
	uint8_t *frame;
	size_t frame_len, hdr_room = 0;
	uint64_t count = 1000, rate = 1000, seq, start_seq = 0, duration = 0;
	unsigned int port = 0, src_port = 0, ttl = 64, tos = 0, size = 100;
	uint32_t flow = 0;
	bool keep_going = false;
	uint64_t sent = 0, errors = 0, retries = 0, t0, deadline_end;
	struct sockaddr_in sin;
	uint8_t *buf;
	int fd, c, one = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dst = optarg; break;
		case 'p': port = parse_u64("--port", optarg, 65535); break;
		case 'S': src = optarg; break;
		case 's': src_port = parse_u64("--src-port", optarg, 65535); break;
		case 'c': count = parse_u64("--count", optarg, UINT64_MAX); break;
		case 'r': rate = parse_u64("--rate", optarg, 100000000); break;
		case 'z': size = parse_u64("--size", optarg, MAX_PAYLOAD); break;
		case 't': ttl = parse_u64("--ttl", optarg, 255); break;
		case 'o': tos = parse_u64("--tos", optarg, 255); break;
		case 'f': flow = parse_u64("--flow", optarg, UINT32_MAX); break;
		case 'i': iface = optarg; break;
		case 'q': start_seq = parse_u64("--start-seq", optarg, UINT64_MAX / 2); break;
		case 'D': duration = parse_u64("--duration-max", optarg, 1000000); break;
		case 'k': keep_going = true; break;
		case 'l': loop = true; break;
		case 'R': raw = true; break;
		case 'M': dst_mac = optarg; break;
		case 'G': gso = parse_u64("--gso", optarg, 64); break;
		default: exit(2);
		}
	}
	if (optind != argc)
		die("unexpected argument: %s", argv[optind]);
	if (!dst || !port)
		die("%s", "send needs --dst and --port");
	if (size < HDR_LEN)
		die("%s", "--size must be at least 20 (the header)");
	if (raw && !iface)
		die("%s", "--raw needs --iface");
	if (dst_mac && !raw)
		die("%s", "--dst-mac needs --raw");
	if (!gso || (gso > 1 && raw))
		die("%s", "--gso takes 1 to 64 datagrams, and not with --raw");

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = parse_addr("--dst", dst);
	sin.sin_port = htons(port);

	if (raw)
		goto raw_socket;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die_errno("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Report ENOBUFS instead of silently counting it (udp_send_skb). */
	if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)))
		die_errno("IP_RECVERR");
	if (src || src_port) {
		struct sockaddr_in b = { .sin_family = AF_INET };

		if (src)
			b.sin_addr = parse_addr("--src", src);
		b.sin_port = htons(src_port);
		if (bind(fd, (struct sockaddr *)&b, sizeof(b)))
			die_errno("bind");
	}
	if (iface) {
		struct ip_mreqn mr = { .imr_ifindex = (int)parse_ifindex(iface) };

		if (IN_MULTICAST(ntohl(sin.sin_addr.s_addr))) {
			if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)))
				die_errno("IP_MULTICAST_IF");
		} else if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface,
				      strlen(iface))) {
			die_errno("SO_BINDTODEVICE");
		}
	}
	{
		int v = (int)ttl, zero = 0;

		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &v, sizeof(v)) ||
		    setsockopt(fd, IPPROTO_IP, IP_TTL, &v, sizeof(v)))
			die_errno("TTL");
		/* Our own copy must not loop back into a local listener. */
		if (!loop)
			setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero,
				   sizeof(zero));
		v = (int)tos;
		if (tos && setsockopt(fd, IPPROTO_IP, IP_TOS, &v, sizeof(v)))
			die_errno("IP_TOS");
		v = (int)size;
		if (gso > 1 && setsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, sizeof(v)))
			die_errno("UDP_SEGMENT");
	}
	dest = (const struct sockaddr *)&sin;
	dest_len = sizeof(sin);
	goto socket_ready;

raw_socket:
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0)
		die_errno("socket(AF_PACKET)");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)parse_ifindex(iface);
	sll.sll_halen = 6;
	if (dst_mac) {
		parse_mac(dst_mac, sll.sll_addr);
	} else {
		uint32_t g = ntohl(sin.sin_addr.s_addr);
		const uint8_t mac[6] = { 0x01, 0x00, 0x5e, (g >> 16) & 0x7f,
					 (g >> 8) & 0xff, g & 0xff };

		memcpy(sll.sll_addr, mac, sizeof(mac));
	}
	dest = (const struct sockaddr *)&sll;
	dest_len = sizeof(sll);
	hdr_room = sizeof(struct iphdr) + sizeof(struct udphdr);

socket_ready:
	frame_len = hdr_room + (size_t)size * gso;
	frame = malloc(frame_len);
	if (!frame)
		die_errno("malloc");
	buf = frame + hdr_room;
	install_signals();

	t0 = now_ns();
	deadline_end = duration ? t0 + duration * 1000000000ull : UINT64_MAX;
	for (seq = start_seq; !stop_requested && (!count || sent < count); ) {
		uint64_t now;

		if (rate) {
			uint64_t due = t0 + (sent * 1000000000ull) / rate;
			struct timespec ts = {
				.tv_sec = due / 1000000000ull,
				.tv_nsec = due % 1000000000ull,
			};

			while (now_ns() < due && !stop_requested)
				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			if (stop_requested)
				break;
		}
		now = now_ns();
		if (now >= deadline_end)
			break;
		batch = gso;
		if (count && count - sent < batch)
			batch = (unsigned int)(count - sent);
		for (j = 0; j < batch; j++)
			build_payload(buf + (size_t)j * size, size, flow, seq + j);
		frame_len = hdr_room + (size_t)size * batch;
		if (raw)
			build_headers(frame, size,
				      src ? parse_addr("--src", src) : (struct in_addr){ 0 },
				      sin.sin_addr, src_port ? src_port : 4000, port,
				      ttl, tos, (uint16_t)seq);
		if (sendto(fd, frame, frame_len, 0, dest, dest_len) == (ssize_t)frame_len) {
			sent += batch;
			seq += batch;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS || errno == EAGAIN) {
			/* The first device dropped it: retry the same seq. */
			struct timespec ts = { .tv_nsec = 50000 };

			retries++;
			nanosleep(&ts, NULL);
			continue;
		}
		errors++;
		if (!keep_going) {
			fprintf(stderr, "mcr-udp: sendto: %s\n", strerror(errno));
			printf("sent=%" PRIu64 "\n", sent);
			return 1;
		}
		/* Skip this sequence number: it never left. Keep the pace. */
		{
			struct timespec ts = { .tv_nsec = 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	if (errors || retries)
		fprintf(stderr, "mcr-udp: send errors=%" PRIu64 " enobufs_retries=%" PRIu64 "\n",
			errors, retries);
	printf("sent=%" PRIu64 "\n", sent);
	fflush(stdout);
	free(frame);
	close(fd);
	return 0;
}

/* ------------------------------------------------------------------ */
/* recv                                                                */
/* ------------------------------------------------------------------ */

struct flow_state {
	bool used;
	uint32_t flow;
	uint64_t base;		/* seq of bit 0 */
	uint64_t min_seq, max_seq;
	uint64_t unique, dup, reordered;
	uint8_t *bits;
	uint64_t nbits;		/* allocated bits */
};

struct recv_ctx {
	/* options */
	struct in_addr group;
	unsigned int port;
	bool have_flow;
	uint32_t flow;
	uint64_t start_seq;
	bool expect_any;
	uint64_t expect;
	int want_ttl, want_tos, want_sport;
	bool have_saddr;
	struct in_addr want_saddr;
	bool allow_partial;
	/* counters */
	uint64_t received, bad_payload, bad_csum, bad_mac, bad_hdr, other_flow;
	uint64_t sock_drops;
	uint64_t unique;
	struct flow_state flows[MAX_FLOWS];
	uint8_t *expbuf;
};

static struct flow_state *get_flow(struct recv_ctx *c, uint32_t flow)
{
	struct flow_state *f;
	int i;

	for (i = 0; i < MAX_FLOWS; i++) {
		f = &c->flows[i];
		if (f->used && f->flow == flow)
			return f;
		if (!f->used) {
			f->used = true;
			f->flow = flow;
			f->base = c->expect_any ? 0 : c->start_seq;
			f->min_seq = UINT64_MAX;
			return f;
		}
	}
	return NULL;
}

/* Record seq; returns false if seq is outside the window. */
static bool record_seq(struct recv_ctx *c, struct flow_state *f, uint64_t seq)
{
	uint64_t off;

	if (seq < f->base || seq - f->base >= MAX_SEQ_SPAN)
		return false;
	off = seq - f->base;
	if (off >= f->nbits) {
		uint64_t n = f->nbits ? f->nbits : 8192;
		uint8_t *nb;

		while (n <= off)
			n *= 2;
		nb = realloc(f->bits, n / 8);
		if (!nb)
			die_errno("realloc");
		memset(nb + f->nbits / 8, 0, (n - f->nbits) / 8);
		f->bits = nb;
		f->nbits = n;
	}
	if (f->bits[off / 8] & (1u << (off % 8))) {
		f->dup++;
		return true;
	}
	f->bits[off / 8] |= 1u << (off % 8);
	if (f->unique && seq < f->max_seq)
		f->reordered++;
	if (!f->unique || seq > f->max_seq)
		f->max_seq = seq;
	if (seq < f->min_seq)
		f->min_seq = seq;
	f->unique++;
	c->unique++;
	return true;
}

static uint64_t flow_gaps(const struct recv_ctx *c, const struct flow_state *f)
{
	uint64_t lo;

	if (!f->unique)
		return 0;
	lo = c->expect_any ? f->min_seq : c->start_seq;
	return (f->max_seq - lo + 1) - f->unique;
}

/* Checks the UDP payload and records its sequence number. */
static void check_payload(struct recv_ctx *c, const uint8_t *p, size_t len)
{
	struct hdr h;
	struct flow_state *f;
	uint64_t seq;
	uint32_t flow;

	if (len < HDR_LEN) {
		c->received++;
		c->bad_payload++;
		return;
	}
	memcpy(&h, p, HDR_LEN);
	flow = ntohl(h.flow);
	if (c->have_flow && flow != c->flow && ntohl(h.magic) == MAGIC) {
		c->other_flow++;
		return;
	}
	c->received++;
	if (ntohl(h.magic) != MAGIC || ntohl(h.size) != len) {
		c->bad_payload++;
		return;
	}
	seq = ntohll(h.seq);
	fill_body(c->expbuf, len - HDR_LEN, flow, seq);
	if (memcmp(c->expbuf, p + HDR_LEN, len - HDR_LEN)) {
		c->bad_payload++;
		return;
	}
	f = get_flow(c, flow);
	if (!f || !record_seq(c, f, seq))
		c->bad_hdr++;
}

/*
 * Check one IPv4 packet, ip (len bytes), and the destination MAC it came
 * to, dmac (NULL: a device without a link layer header, such as a tunnel).
 */
static void handle_ip(struct recv_ctx *c, const uint8_t *ip, size_t len,
		      const uint8_t *dmac, bool csum_not_ready)
{
	const uint8_t *udp;
	size_t ihl, tot, ulen;
	uint32_t g = ntohl(c->group.s_addr), sum;
	bool bad_hdr = false, bad_csum = false, bad_mac = false;
	unsigned int frag;

	if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != IPPROTO_UDP)
		return;
	if (memcmp(ip + 16, &c->group.s_addr, 4))
		return;
	ihl = (ip[0] & 0xf) * 4u;
	tot = (size_t)ip[2] << 8 | ip[3];
	frag = ((unsigned int)ip[6] << 8 | ip[7]) & 0x3fff;	/* MF + offset */
	if (ihl < 20 || tot < ihl || tot > len) {
		c->received++;
		c->bad_hdr++;
		return;
	}
	if (frag) {
		/* A fragment of ours (we cannot see its port in later ones). */
		c->received++;
		c->bad_hdr++;
		return;
	}
	if (tot < ihl + 8)
		return;
	udp = ip + ihl;
	if (((unsigned int)udp[2] << 8 | udp[3]) != c->port)
		return;
	ulen = (size_t)udp[4] << 8 | udp[5];

	if (csum_fold(csum_add(0, ip, ihl)) != 0)
		bad_csum = true;
	if (ulen < 8 || ulen > tot - ihl) {
		bad_hdr = true;
		ulen = tot - ihl;
	} else if (csum_not_ready) {
		/* The UDP checksum field holds only the pseudo-header sum. */
		bad_csum = !c->allow_partial;
	} else if (udp[6] || udp[7]) {
		sum = csum_add(0, ip + 12, 8);	/* saddr, daddr */
		sum += IPPROTO_UDP + (uint32_t)ulen;
		sum = csum_add(sum, udp, ulen);
		if (csum_fold(sum) != 0)
			bad_csum = true;
	}
	if (dmac && IN_MULTICAST(g)) {
		const uint8_t want[6] = { 0x01, 0x00, 0x5e, (g >> 16) & 0x7f,
					  (g >> 8) & 0xff, g & 0xff };

		if (memcmp(dmac, want, 6))
			bad_mac = true;
	}
	if (c->want_ttl >= 0 && ip[8] != c->want_ttl)
		bad_hdr = true;
	if (c->want_tos >= 0 && ip[1] != c->want_tos)
		bad_hdr = true;
	if (c->want_sport >= 0 &&
	    ((unsigned int)udp[0] << 8 | udp[1]) != (unsigned int)c->want_sport)
		bad_hdr = true;
	if (c->have_saddr && memcmp(ip + 12, &c->want_saddr.s_addr, 4))
		bad_hdr = true;

	if (ulen >= 8 + HDR_LEN && c->have_flow) {
		uint32_t magic, flow;

		memcpy(&magic, udp + 8, 4);
		memcpy(&flow, udp + 8 + 4, 4);
		if (ntohl(magic) == MAGIC && ntohl(flow) != c->flow) {
			c->other_flow++;
			return;
		}
	}
	if (bad_hdr || bad_csum || bad_mac) {
		c->received++;
		c->bad_hdr += bad_hdr;
		c->bad_csum += bad_csum;
		c->bad_mac += bad_mac;
		return;
	}
	check_payload(c, udp + 8, ulen - 8);
}

/* A frame read from an AF_PACKET socket; hatype: the device's ARPHRD_*. */
static void handle_frame(struct recv_ctx *c, const uint8_t *fr, size_t len,
			 unsigned short hatype, bool csum_not_ready)
{
	const struct ether_header *eth = (const void *)fr;

	if (hatype != ARPHRD_ETHER) {
		handle_ip(c, fr, len, NULL, csum_not_ready);
		return;
	}
	if (len < sizeof(*eth) || ntohs(eth->ether_type) != ETHERTYPE_IP)
		return;
	handle_ip(c, fr + sizeof(*eth), len - sizeof(*eth), eth->ether_dhost,
		  csum_not_ready);
}

static int open_packet(const char *iface)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = (int)parse_ifindex(iface),
	};
	int one = 1, bufsz = 64 << 20;
	/* Protocol 0 until bound: no frames from other devices sneak in. */
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0)
		die_errno("socket(AF_PACKET)");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)))
		die_errno("PACKET_AUXDATA");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die_errno("bind(AF_PACKET)");
	return fd;
}

static int open_udp(const char *iface, struct in_addr group, unsigned int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	int one = 1, zero = 0, bufsz = 64 << 20;
	int ifindex = (int)parse_ifindex(iface);
	bool mc = IN_MULTICAST(ntohl(group.s_addr));
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		die_errno("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof(one));
	/* Only groups this socket joined on this device, not the host's. */
	setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, strlen(iface)))
		die_errno("SO_BINDTODEVICE");
	sin.sin_addr.s_addr = mc ? group.s_addr : htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die_errno("bind");
	if (mc) {
		struct ip_mreqn mr = {
			.imr_multiaddr = group,
			.imr_ifindex = ifindex,
		};

		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			die_errno("IP_ADD_MEMBERSHIP");
	}
	return fd;
}

/* Attach to the tun device iface (IFF_TUN, no packet information). */
static int open_tun(const char *iface)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);

	if (fd < 0)
		die_errno("open /dev/net/tun");
	if (strlen(iface) >= sizeof(ifr.ifr_name))
		die("bad --iface: %s", iface);
	strcpy(ifr.ifr_name, iface);
	if (ioctl(fd, TUNSETIFF, &ifr))
		die_errno("TUNSETIFF");
	return fd;
}

/* Returns false once the tun device has nothing more queued. */
static bool read_tun(struct recv_ctx *c, int fd, uint8_t *buf, size_t bufsz)
{
	ssize_t n = read(fd, buf, bufsz);

	if (n < 0)
		return false;
	handle_ip(c, buf, (size_t)n, NULL, false);
	return true;
}

/* Returns false once the socket has nothing more queued. */
static bool read_packet(struct recv_ctx *c, int fd, uint8_t *buf, size_t bufsz)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} cb;
	struct sockaddr_ll from;
	struct iovec iov = { .iov_base = buf, .iov_len = bufsz };
	struct msghdr m = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cb.b, .msg_controllen = sizeof(cb.b),
	};
	struct cmsghdr *cm;
	bool not_ready = false;
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_TRUNC);

	if (n < 0)
		return false;
	if (from.sll_pkttype == PACKET_OUTGOING)
		return true;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_AUXDATA) {
			struct tpacket_auxdata aux;

			memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
			if (aux.tp_status & TP_STATUS_CSUMNOTREADY)
				not_ready = true;
		}
	}
	if ((size_t)n > bufsz) {
		c->received++;
		c->bad_hdr++;
		return true;
	}
	handle_frame(c, buf, (size_t)n, from.sll_hatype, not_ready);
	return true;
}

static bool read_udp(struct recv_ctx *c, int fd, uint8_t *buf, size_t bufsz)
{
	char cb[256];
	struct sockaddr_in from;
	struct iovec iov = { .iov_base = buf, .iov_len = bufsz };
	struct msghdr m = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cb, .msg_controllen = sizeof(cb),
	};
	struct cmsghdr *cm;
	int ttl = -1, tos = -1;
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_TRUNC);

	if (n < 0)
		return false;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL)
			memcpy(&ttl, CMSG_DATA(cm), sizeof(int));
		else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TOS)
			tos = *(uint8_t *)CMSG_DATA(cm);
		else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
			uint32_t d;

			memcpy(&d, CMSG_DATA(cm), sizeof(d));
			c->sock_drops = d;
		}
	}
	if ((size_t)n > bufsz ||
	    (c->want_ttl >= 0 && ttl != c->want_ttl) ||
	    (c->want_tos >= 0 && tos != c->want_tos) ||
	    (c->want_sport >= 0 && ntohs(from.sin_port) != c->want_sport) ||
	    (c->have_saddr && from.sin_addr.s_addr != c->want_saddr.s_addr)) {
		c->received++;
		c->bad_hdr++;
		return true;
	}
	check_payload(c, buf, (size_t)n);
	return true;
}

static void write_ready(const char *path)
{
	char tmp[PATH_MAX];
	int fd;

	/* Appear atomically: a poller never sees a half-written file. */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die_errno("ready-file");
	dprintf(fd, "%d\n", (int)getpid());
	close(fd);
	if (rename(tmp, path))
		die_errno("rename ready-file");
}

static int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "group", required_argument, NULL, 'g' },
		{ "port", required_argument, NULL, 'p' },
		{ "flow", required_argument, NULL, 'f' },
		{ "expect", required_argument, NULL, 'e' },
		{ "start-seq", required_argument, NULL, 'q' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "idle-ms", required_argument, NULL, 'I' },
		{ "mode", required_argument, NULL, 'm' },
		{ "src-port", required_argument, NULL, 's' },
		{ "ttl", required_argument, NULL, 't' },
		{ "tos", required_argument, NULL, 'o' },
		{ "allow-reorder", no_argument, NULL, 'R' },
		{ "allow-dup", no_argument, NULL, 'U' },
		{ "ready-file", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "allow-partial-csum", no_argument, NULL, 'P' },
		{ "saddr", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	static struct recv_ctx ctx;
	struct recv_ctx *c = &ctx;
	const char *iface = NULL, *group = NULL, *ready = NULL, *mode = "packet";
	bool have_expect = false, allow_reorder = false, allow_dup = false, json = false;
	uint64_t timeout_s = 10, idle_ms = 300, t_start, t_last, t_stop = 0;
	uint64_t dup = 0, reordered = 0, missing = 0, gaps = 0;
	uint64_t min_seq = 0, max_seq = 0;
	bool packet, tun, ok;
	size_t bufsz = 65536 + 64;
	uint8_t *buf;
	int fd, ch, i;

	c->want_ttl = c->want_tos = c->want_sport = -1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': iface = optarg; break;
		case 'g': group = optarg; break;
		case 'p': c->port = parse_u64("--port", optarg, 65535); break;
		case 'f':
			c->have_flow = true;
			c->flow = parse_u64("--flow", optarg, UINT32_MAX);
			break;
		case 'e':
			have_expect = true;
			if (!strcmp(optarg, "any"))
				c->expect_any = true;
			else
				c->expect = parse_u64("--expect", optarg, MAX_SEQ_SPAN);
			break;
		case 'q': c->start_seq = parse_u64("--start-seq", optarg, UINT64_MAX / 2); break;
		case 'T': timeout_s = parse_u64("--timeout", optarg, 100000); break;
		case 'I': idle_ms = parse_u64("--idle-ms", optarg, 10000000); break;
		case 'm': mode = optarg; break;
		case 's': c->want_sport = parse_u64("--src-port", optarg, 65535); break;
		case 't': c->want_ttl = parse_u64("--ttl", optarg, 255); break;
		case 'o': c->want_tos = parse_u64("--tos", optarg, 255); break;
		case 'R': allow_reorder = true; break;
		case 'U': allow_dup = true; break;
		case 'F': ready = optarg; break;
		case 'j': json = true; break;
		case 'P': c->allow_partial = true; break;
		case 'A':
			c->have_saddr = true;
			c->want_saddr = parse_addr("--saddr", optarg);
			break;
		default: exit(2);
		}
	}
	if (optind != argc)
		die("unexpected argument: %s", argv[optind]);
	if (!iface || !group || !c->port || !have_expect)
		die("%s", "recv needs --iface, --group, --port and --expect");
	if (strcmp(mode, "packet") && strcmp(mode, "socket") &&
	    strcmp(mode, "tun"))
		die("bad --mode: %s", mode);
	packet = !strcmp(mode, "packet");
	tun = !strcmp(mode, "tun");
	c->group = parse_addr("--group", group);
	c->expbuf = malloc(bufsz);
	buf = malloc(bufsz);
	if (!buf || !c->expbuf)
		die_errno("malloc");

	if (tun)
		fd = open_tun(iface);
	else
		fd = packet ? open_packet(iface) : open_udp(iface, c->group, c->port);
	install_signals();
	if (ready)
		write_ready(ready);

	t_start = t_last = now_ns();
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ns(), wait_until;
		uint64_t received_before = c->received + c->other_flow;
		int r;

		if (stop_requested && !t_stop)
			t_stop = now;
		if (now >= t_start + timeout_s * 1000000000ull)
			break;
		/* Done: got what we wanted (or were told to stop), then idle. */
		if ((t_stop || (!c->expect_any && c->expect && c->unique >= c->expect)) &&
		    now >= t_last + idle_ms * 1000000ull && now >= t_stop + idle_ms * 1000000ull)
			break;
		wait_until = t_start + timeout_s * 1000000000ull;
		if (now + 50000000ull < wait_until)
			wait_until = now + 50000000ull;	/* re-check every 50 ms */
		r = poll(&pfd, 1, (int)((wait_until - now + 999999) / 1000000));
		if (r < 0 && errno != EINTR)
			die_errno("poll");
		if (r <= 0)
			continue;
		/* Drain what is queued. */
		for (i = 0; i < 4096; i++) {
			bool more;

			if (tun)
				more = read_tun(c, fd, buf, bufsz);
			else if (packet)
				more = read_packet(c, fd, buf, bufsz);
			else
				more = read_udp(c, fd, buf, bufsz);
			if (!more)
				break;
		}
		if (c->received + c->other_flow != received_before)
			t_last = now_ns();
	}

	if (packet) {
		struct tpacket_stats st;
		socklen_t sl = sizeof(st);

		if (!getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl))
			c->sock_drops += st.tp_drops;
	}

	for (i = 0; i < MAX_FLOWS && c->flows[i].used; i++) {
		struct flow_state *f = &c->flows[i];

		dup += f->dup;
		reordered += f->reordered;
		gaps += flow_gaps(c, f);
		if (f->unique && (i == 0 || f->min_seq < min_seq))
			min_seq = f->min_seq;
		if (f->unique && f->max_seq > max_seq)
			max_seq = f->max_seq;
	}
	missing = gaps;
	if (!c->expect_any && c->expect > c->unique && c->expect - c->unique > missing)
		missing = c->expect - c->unique;

	ok = (c->expect_any || c->unique == c->expect) && !missing &&
	     !c->bad_payload && !c->bad_csum && !c->bad_mac && !c->bad_hdr &&
	     !c->sock_drops && (allow_dup || !dup) && (allow_reorder || !reordered);

	if (json) {
		printf("{\"received\":%" PRIu64 ",\"unique\":%" PRIu64 ",\"dup\":%" PRIu64
		       ",\"reordered\":%" PRIu64 ",\"missing\":%" PRIu64
		       ",\"bad_payload\":%" PRIu64 ",\"bad_csum\":%" PRIu64
		       ",\"bad_mac\":%" PRIu64 ",\"bad_hdr\":%" PRIu64
		       ",\"other_flow\":%" PRIu64 ",\"sock_drops\":%" PRIu64
		       ",\"min_seq\":%" PRIu64 ",\"max_seq\":%" PRIu64 ",\"ok\":%s,\"flows\":[",
		       c->received, c->unique, dup, reordered, missing, c->bad_payload,
		       c->bad_csum, c->bad_mac, c->bad_hdr, c->other_flow, c->sock_drops,
		       min_seq, max_seq, ok ? "true" : "false");
		for (i = 0; i < MAX_FLOWS && c->flows[i].used; i++) {
			struct flow_state *f = &c->flows[i];

			printf("%s{\"flow\":%" PRIu32 ",\"unique\":%" PRIu64 ",\"dup\":%" PRIu64
			       ",\"reordered\":%" PRIu64 ",\"missing\":%" PRIu64
			       ",\"min_seq\":%" PRIu64 ",\"max_seq\":%" PRIu64 "}",
			       i ? "," : "", f->flow, f->unique, f->dup, f->reordered,
			       flow_gaps(c, f), f->unique ? f->min_seq : 0, f->max_seq);
		}
		printf("]}\n");
	} else {
		printf("received=%" PRIu64 " unique=%" PRIu64 " dup=%" PRIu64
		       " reordered=%" PRIu64 " missing=%" PRIu64 " bad_payload=%" PRIu64
		       " bad_csum=%" PRIu64 " bad_mac=%" PRIu64 " bad_hdr=%" PRIu64
		       " other_flow=%" PRIu64 " sock_drops=%" PRIu64
		       " min_seq=%" PRIu64 " max_seq=%" PRIu64 "\n",
		       c->received, c->unique, dup, reordered, missing, c->bad_payload,
		       c->bad_csum, c->bad_mac, c->bad_hdr, c->other_flow, c->sock_drops,
		       min_seq, max_seq);
	}
	fflush(stdout);
	return ok ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mcr-udp send --dst G --port P [--src ADDR] [--src-port SP] [--count N]\n"
		"                    [--rate PPS] [--size BYTES] [--ttl N] [--tos N] [--flow ID]\n"
		"                    [--iface DEV] [--start-seq N] [--duration-max S] [--keep-going]\n"
		"       mcr-udp recv --iface DEV --group G --port P --expect N|any [--flow ID]\n"
		"                    [--start-seq N] [--timeout S] [--idle-ms MS] [--mode packet|socket|tun]\n"
		"                    [--src-port SP] [--saddr A] [--ttl N] [--tos N] [--allow-reorder]\n"
		"                    [--allow-dup]\n"
		"                    [--allow-partial-csum] [--ready-file PATH] [--json]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	usage();
	return 2;
}
