/*
 * fwtest: the peer tool of the integration tests. One binary plays every
 * part around the daemon: the backend server, the client, a target whose
 * SYNs are dropped, a free port picker. What each end of a connection does
 * and must see is a list of steps ("send:hello recv:hello shut eof"), so
 * each scenario script says it declaratively. Any mismatch is a message on
 * stderr and a non-zero exit status, and every wait is bounded.
 *
 * The byte streams of sendn/recvn/bulk are counter-based pseudo-random
 * patterns keyed by --seed and the direction, so the receiver checks every
 * byte at its offset (loss, duplication and reordering all show) and both
 * ends print an FNV-1a checksum of what they sent and received.
 */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FWTEST_CHUNK		65536
#define FWTEST_PING_LEN		12	/* "ping 000001\n" */
#define FWTEST_LINE_MAX		256
#define FWTEST_MAX_SOURCES	256
#define FWTEST_INFLIGHT		128	/* concurrent handshakes at once */
#define FWTEST_STALL		0.5	/* flood: unwritable this long = blocked */

#define KEY_UP		0x75702d6677746573ULL	/* client -> server */
#define KEY_DOWN	0x646f776e66777465ULL	/* server -> client */

enum role {
	ROLE_CLIENT = 0,
	ROLE_SERVER
};

enum read_end {
	END_NONE = 0,
	END_EOF,
	END_RESET,
	END_ERROR
};

enum step_type {
	ST_SEND, ST_RECV, ST_SENDN, ST_RECVN, ST_BULK, ST_SINK, ST_ECHO,
	ST_EOF, ST_RESET, ST_END, ST_SILENCE, ST_SHUT, ST_RST, ST_CLOSE,
	ST_SLEEP, ST_PEER, ST_TOUCH, ST_WAITFILE, ST_PING, ST_HOLD,
	ST_HOLDUNTIL, ST_HOLDCUT, ST_FLOOD
};

enum arg_kind {
	ARG_NONE = 0,
	ARG_TEXT,		/* required, with \n \r \t \\ \xHH escapes */
	ARG_SIZE,		/* required, K/M/G suffixes */
	ARG_COUNT,		/* optional count, 1 when absent */
	ARG_TIME,		/* required seconds */
	ARG_OPTTIME,		/* optional seconds, --timeout when absent */
	ARG_PATH,		/* required */
	ARG_OPTTEXT		/* optional text */
};

struct step_def {
	const char	*name;
	enum step_type	 type;
	enum arg_kind	 arg;
	const char	*help;
};

static const struct step_def step_defs[] = {
	{ "send", ST_SEND, ARG_TEXT, "send TEXT" },
	{ "recv", ST_RECV, ARG_TEXT, "expect exactly TEXT next" },
	{ "sendn", ST_SENDN, ARG_SIZE, "send N bytes of our pattern" },
	{ "recvn", ST_RECVN, ARG_SIZE, "expect N bytes of the peer's pattern" },
	{ "bulk", ST_BULK, ARG_SIZE, "sendn:N and recvn:N at the same time" },
	{ "sink", ST_SINK, ARG_NONE, "read until EOF, print count, checksum" },
	{ "echo", ST_ECHO, ARG_NONE, "echo until the peer ends; on EOF shut" },
	{ "eof", ST_EOF, ARG_OPTTIME, "expect EOF (FIN) and no data" },
	{ "reset", ST_RESET, ARG_OPTTIME, "expect ECONNRESET and no data" },
	{ "end", ST_END, ARG_OPTTIME, "expect EOF or reset and no data" },
	{ "silence", ST_SILENCE, ARG_TIME, "expect no byte, FIN or RST for T" },
	{ "shut", ST_SHUT, ARG_NONE, "shutdown(SHUT_WR)" },
	{ "rst", ST_RST, ARG_NONE, "close with SO_LINGER 0 (send RST)" },
	{ "close", ST_CLOSE, ARG_NONE, "close" },
	{ "sleep", ST_SLEEP, ARG_TIME, "sleep T seconds" },
	{ "peer", ST_PEER, ARG_OPTTEXT, "server: send \"peer=ADDR:PORT\\n\"; "
	    "client: read it, check the host is ARG" },
	{ "touch", ST_TOUCH, ARG_PATH, "write the wall clock time to FILE" },
	{ "wait-file", ST_WAITFILE, ARG_PATH, "wait until FILE exists" },
	{ "ping", ST_PING, ARG_COUNT, "N echo round trips" },
	{ "hold", ST_HOLD, ARG_TIME, "ping every --interval for T seconds" },
	{ "hold-until", ST_HOLDUNTIL, ARG_PATH, "ping until FILE exists" },
	{ "hold-cut", ST_HOLDCUT, ARG_TIME, "ping until the peer cuts the "
	    "connection, within T seconds" },
	{ "flood", ST_FLOOD, ARG_SIZE, "send to a peer that does not read; "
	    "fail unless writes block before N" },
	{ NULL, 0, 0, NULL }
};

struct step {
	const struct step_def	*def;
	const char		*token;
	char			*data;
	size_t			 len;
	uint64_t		 n;
	double			 t;
	int			 has_arg;
};

struct options {
	const char	*listen;
	const char	*connect;
	const char	*source;
	const char	*sources;
	const char	*seeds;
	const char	*ready_file;
	const char	*mode;
	const char	*stop_file;
	double		 timeout;
	double		 deadline;
	double		 interval;
	double		 hold_for;
	uint64_t	 seed;
	uint64_t	 bytes;
	int		 count;
	int		 parallel;
	int		 rounds;
	size_t		 size;
	int		 expect_refused;
	struct step	*steps;
	int		 nsteps;
};

/* One connection and what has been seen on it. */
struct sess {
	int			 fd;
	enum role		 role;
	char			 label[160];
	const char		*step;
	uint64_t		 txkey;
	uint64_t		 rxkey;
	uint64_t		 txpos;
	uint64_t		 rxpos;
	enum read_end		 rend;
	int			 rerrno;
	struct sockaddr_storage	 peer;
	struct sockaddr_storage	 local;
};

static struct options	 opts = {
	.timeout = 10.0,
	.deadline = 60.0,
	.interval = 0.05,
	.hold_for = 1.0,
	.seed = 1,
	.bytes = 1024 * 1024,
	.rounds = 2,
	.size = 64
};
static const char	*cmdname = "fwtest";
static volatile int	 nfailed;
static pthread_mutex_t	 fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void		 usage(void) __attribute__((noreturn));
static void		 die(const char *, ...)
			    __attribute__((format(printf, 1, 2), noreturn));
static void		 sfail(struct sess *, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
static double		 mono(void);
static double		 wall(void);
static void		 on_alarm(int);
static int		 addr_parse(const char *, int,
			    struct sockaddr_storage *, socklen_t *);
static const char	*addr_fmt(const struct sockaddr_storage *, char *,
			    size_t);
static socklen_t	 ss_len(const struct sockaddr_storage *);
static int		 ss_port(const struct sockaddr_storage *);
static uint64_t		 parse_size(const char *);
static double		 parse_time(const char *);
static uint64_t		 mix64(uint64_t);
static void		 pattern_fill(uint64_t, uint64_t, unsigned char *,
			    size_t);
static uint64_t		 fnv1a(uint64_t, const unsigned char *, size_t);
static char		*unescape(const char *, size_t *);
static void		 show(const unsigned char *, size_t, char *, size_t);
static int		 set_nonblock(int);
static void		 raise_nofile(void);
static int		 wait_io(int, short, double);
static ssize_t		 sess_read(struct sess *, void *, size_t, double);
static int		 sess_write(struct sess *, const void *, size_t,
			    double);
static const char	*end_str(const struct sess *);
static int		 read_exact(struct sess *, unsigned char *, size_t,
			    double, size_t *);
static int		 ping_once(struct sess *, int, int *);
static int		 expect_end(struct sess *, enum step_type, double);
static int		 step_bulk(struct sess *, uint64_t);
static int		 step_run(struct sess *, const struct step *);
static int		 sess_run(struct sess *);
static void		 sess_init(struct sess *, int, enum role);
static void		 steps_parse(int, char **);
static void		 steps_preset(enum role);
static int		 write_ready(const char *, int);
static int		 listen_on(const char *, int, struct sockaddr_storage *);
static void		*server_conn(void *);
static int		 cmd_server(void);
static int		 connect_to(const char *, const char *, int, int *);
static int		 cmd_client(void);
static int		 cmd_concurrent(void);
static int		 cmd_blackhole(void);
static int		 cmd_echo(void);
static int		 cmd_stream(void);
static int		 cmd_burst(void);
static int		 cmd_hostile(void);
static int		 cmd_freeport(const char *);

static void
usage(void)
{
	const struct step_def	*sd;

	fprintf(stderr,
"usage: fwtest server --listen ADDR:PORT [--ready-file F] [--count N]\n"
"           [--mode echo|sink|source|peer|halfclose|reset|bulk | STEP...]\n"
"       fwtest client --connect ADDR:PORT [--source ADDR] [--expect-refused]\n"
"           [--mode bulk|echo|halfclose|expect-reset|expect-eof|\n"
"            expect-silence|hold | STEP...]\n"
"       fwtest concurrent --connect ADDR:PORT --count N [--sources A,B,...]\n"
"           [--rounds R] [--size BYTES] [--ready-file F --stop-file F]\n"
"       fwtest blackhole --listen ADDR:PORT [--ready-file F]\n"
"       fwtest echo --listen ADDR:PORT [--ready-file F] (epoll, any count)\n"
"       fwtest stream --connect ADDR:PORT --count N [--sources A,B,...]\n"
"           --stop-file F [--ready-file F] (checked echo until F)\n"
"       fwtest burst --connect ADDR:PORT --count N [--parallel P]\n"
"           [--sources A,B,...] [--size BYTES] [--expect-refused: none echo]\n"
"       fwtest hostile --connect ADDR:PORT --count N [--parallel P]\n"
"           --seeds DIR,... | --listen ADDR:PORT --seeds DIR,...\n"
"           (mutated PDU streams from the seed files)\n"
"       fwtest freeport [ADDR] [--count N]\n"
"options: --timeout T (each wait, 10) --deadline T (whole run, 60)\n"
"         --seed N --bytes N (presets, 1M) --for T --stop-file F\n"
"         --interval T (ping period of hold, 0.05)\n"
"ADDR:PORT is a.b.c.d:port or [v6]:port; server port 0 picks a free one\n"
"and the ready file gets the port. Steps (NAME or NAME:ARG):\n");
	for (sd = step_defs; sd->name != NULL; sd++)
		fprintf(stderr, "  %-11s %s\n", sd->name, sd->help);
	exit(2);
}

static void
die(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "fwtest %s: ", cmdname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Report a failed expectation on one connection; the run will exit 1. */
static void
sfail(struct sess *s, const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&fail_lock);
	nfailed++;
	fprintf(stderr, "fwtest %s: FAIL: %s: step %s: %s\n", cmdname,
	    s->label, s->step != NULL ? s->step : "-", msg);
	pthread_mutex_unlock(&fail_lock);
}

static double
mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static double
wall(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* The whole run is bounded: a hang is a failure, not a stuck make check. */
static void
on_alarm(int sig)
{
	static const char msg[] = "fwtest: FAIL: deadline reached, giving up\n";
	ssize_t		 n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(3);
}

/* "a.b.c.d:port", "[v6]:port"; with port_optional also "a.b.c.d", "[v6]". */
static int
addr_parse(const char *str, int port_optional, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	char			 host[INET6_ADDRSTRLEN + 1];
	const char		*hend, *pstr = NULL;
	char			*end;
	size_t			 hlen;
	long			 port = 0;
	int			 v6;

	memset(ss, 0, sizeof(*ss));
	if (*str == '[') {
		v6 = 1;
		if ((hend = strchr(str, ']')) == NULL)
			return (-1);
		hlen = (size_t)(hend - str - 1);
		str++;
		if (hend[1] == ':')
			pstr = hend + 2;
		else if (hend[1] != '\0')
			return (-1);
	} else {
		v6 = 0;
		if ((hend = strchr(str, ':')) != NULL) {
			hlen = (size_t)(hend - str);
			pstr = hend + 1;
		} else
			hlen = strlen(str);
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return (-1);
	memcpy(host, str, hlen);
	host[hlen] = '\0';
	if (pstr != NULL) {
		errno = 0;
		port = strtol(pstr, &end, 10);
		if (*pstr == '\0' || *end != '\0' || errno != 0 || port < 0 ||
		    port > 65535)
			return (-1);
	} else if (!port_optional)
		return (-1);
	if (v6) {
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return (-1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
	} else {
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return (-1);
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
	}
	return (0);
}

/* The daemon's spelling: "1.2.3.4:5", "[::1]:5". */
static const char *
addr_fmt(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;
	char				 host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
	} else
		snprintf(buf, len, "?");
	return (buf);
}

static socklen_t
ss_len(const struct sockaddr_storage *ss)
{
	return (ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in));
}

static int
ss_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return (ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
	return (ntohs(((const struct sockaddr_in *)ss)->sin_port));
}

static uint64_t
parse_size(const char *s)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s == '\0' || errno != 0)
		die("bad size \"%s\"", s);
	switch (*end) {
	case 'G':
		v *= 1024;
		/* FALLTHROUGH */
	case 'M':
		v *= 1024;
		/* FALLTHROUGH */
	case 'K':
		v *= 1024;
		end++;
		break;
	}
	if (*end != '\0')
		die("bad size \"%s\"", s);
	return ((uint64_t)v);
}

static double
parse_time(const char *s)
{
	char	*end;
	double	 v;

	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 86400)
		die("bad time \"%s\" (seconds)", s);
	return (v);
}

/* splitmix64's finaliser: a good 64-bit mix of a counter. */
static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (x);
}

/* The pattern byte at each offset depends only on key and offset. */
static void
pattern_fill(uint64_t key, uint64_t pos, unsigned char *buf, size_t len)
{
	uint64_t	 v;
	unsigned int	 off;

	while (len > 0) {
		v = mix64(key + (pos >> 3) * 0x9e3779b97f4a7c15ULL);
		for (off = (unsigned int)(pos & 7); off < 8 && len > 0;
		    off++, len--, pos++)
			*buf++ = (unsigned char)(v >> (off * 8));
	}
}

static uint64_t
fnv1a(uint64_t h, const unsigned char *p, size_t len)
{
	while (len-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return (h);
}
#define FNV_INIT	0xcbf29ce484222325ULL

static char *
unescape(const char *s, size_t *lenp)
{
	char		*out, *o;
	unsigned int	 x;

	if ((out = o = malloc(strlen(s) + 1)) == NULL)
		die("out of memory");
	while (*s != '\0') {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 's':
			*o++ = ' ';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case 'x':
			if (sscanf(s + 1, "%2x", &x) != 1)
				die("bad \\x escape");
			*o++ = (char)x;
			s += 2;
			break;
		default:
			die("bad escape \\%c", *s);
		}
		s++;
	}
	*o = '\0';
	*lenp = (size_t)(o - out);
	return (out);
}

/* Printable rendering of received bytes for messages. */
static void
show(const unsigned char *p, size_t n, char *buf, size_t len)
{
	size_t	 i, o = 0;

	for (i = 0; i < n && o + 8 < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			buf[o++] = (char)p[i];
		else if (p[i] == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x",
			    p[i]);
	}
	if (i < n && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

static int
set_nonblock(int fd)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	return (fcntl(fd, F_SETFL, fl | O_NONBLOCK));
}

/* Many connections need many descriptors: take the hard limit. */
static void
raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* 1 ready, 0 deadline passed, -1 poll error. */
static int
wait_io(int fd, short ev, double deadline)
{
	struct pollfd	 pfd;
	double		 left;
	int		 n;

	for (;;) {
		left = deadline - mono();
		if (left < 0)
			left = 0;
		pfd.fd = fd;
		pfd.events = ev;
		pfd.revents = 0;
		n = poll(&pfd, 1, (int)(left * 1000) + (left > 0 ? 1 : 0));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (n > 0)
			return (1);
		if (left <= 0 || mono() >= deadline)
			return (0);
	}
}

/*
 * >0 bytes, 0 EOF, -1 reset or error (s->rend says which), -2 deadline.
 * The end of the read side is sticky: after a reset a second recv() would
 * return 0 and hide it.
 */
static ssize_t
sess_read(struct sess *s, void *buf, size_t len, double deadline)
{
	ssize_t	 n;

	if (s->rend == END_EOF)
		return (0);
	if (s->rend != END_NONE)
		return (-1);
	for (;;) {
		n = recv(s->fd, buf, len, 0);
		if (n > 0)
			return (n);
		if (n == 0) {
			s->rend = END_EOF;
			return (0);
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (wait_io(s->fd, POLLIN, deadline) != 1)
				return (-2);
			continue;
		}
		s->rerrno = errno;
		s->rend = errno == ECONNRESET ? END_RESET : END_ERROR;
		return (-1);
	}
}

/* 0 written, -1 error (errno kept), -2 deadline. */
static int
sess_write(struct sess *s, const void *buf, size_t len, double deadline)
{
	const unsigned char	*p = buf;
	ssize_t			 n;
	int			 r;

	while (len > 0) {
		n = send(s->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((r = wait_io(s->fd, POLLOUT, deadline)) != 1)
				return (r == 0 ? -2 : -1);
			continue;
		}
		return (-1);
	}
	return (0);
}

static const char *
end_str(const struct sess *s)
{
	static _Thread_local char buf[96];

	switch (s->rend) {
	case END_NONE:
		return ("nothing");
	case END_EOF:
		return ("EOF");
	case END_RESET:
		return ("a reset (ECONNRESET)");
	case END_ERROR:
		break;
	}
	snprintf(buf, sizeof(buf), "error %s", strerror(s->rerrno));
	return (buf);
}

/* Read exactly len bytes; 0 ok, -1 after reporting. *got says how many. */
static int
read_exact(struct sess *s, unsigned char *buf, size_t len, double deadline,
    size_t *got)
{
	ssize_t	 n;

	*got = 0;
	while (*got < len) {
		n = sess_read(s, buf + *got, len - *got, deadline);
		if (n == -2) {
			sfail(s, "timed out after %zu of %zu bytes", *got, len);
			return (-1);
		}
		if (n <= 0) {
			sfail(s, "got %s after %zu of %zu bytes", end_str(s),
			    *got, len);
			return (-1);
		}
		*got += (size_t)n;
	}
	return (0);
}

/*
 * One echo round trip. Returns 0 when echoed, -1 on a failure (reported
 * unless *cut is non-NULL and the peer ended the connection, which then
 * sets *cut to the read end or to -1 for a failed write).
 */
static int
ping_once(struct sess *s, int seq, int *cut)
{
	char		 msg[FWTEST_PING_LEN + 1];
	unsigned char	 got[FWTEST_PING_LEN];
	char		 shown[128];
	ssize_t		 n;
	size_t		 off = 0;
	double		 deadline = mono() + opts.timeout;
	int		 r;

	snprintf(msg, sizeof(msg), "ping %06d\n", seq % 1000000);
	if ((r = sess_write(s, msg, FWTEST_PING_LEN, deadline)) != 0) {
		if (r == -1 && cut != NULL && (errno == EPIPE ||
		    errno == ECONNRESET)) {
			*cut = errno == ECONNRESET ? END_RESET : END_EOF;
			return (-1);
		}
		sfail(s, "ping %d: write: %s", seq, r == -2 ? "timed out" :
		    strerror(errno));
		return (-1);
	}
	while (off < FWTEST_PING_LEN) {
		n = sess_read(s, got + off, FWTEST_PING_LEN - off, deadline);
		if (n == -2) {
			sfail(s, "ping %d: no echo within %.1f s", seq,
			    opts.timeout);
			return (-1);
		}
		if (n <= 0) {
			if (cut != NULL) {
				*cut = s->rend;
				return (-1);
			}
			sfail(s, "ping %d: got %s after %zu of %d bytes", seq,
			    end_str(s), off, FWTEST_PING_LEN);
			return (-1);
		}
		off += (size_t)n;
	}
	if (memcmp(got, msg, FWTEST_PING_LEN) != 0) {
		show(got, FWTEST_PING_LEN, shown, sizeof(shown));
		sfail(s, "ping %d: echo mismatch: got \"%s\"", seq, shown);
		return (-1);
	}
	return (0);
}

/* eof, reset, end: the read side must end that way, with no data first. */
static int
expect_end(struct sess *s, enum step_type type, double t)
{
	unsigned char	 buf[256];
	char		 shown[128];
	double		 start = mono();
	ssize_t		 n;

	n = sess_read(s, buf, sizeof(buf), start + t);
	if (n == -2) {
		sfail(s, "nothing within %.1f s (connection still open)", t);
		return (-1);
	}
	if (n > 0) {
		show(buf, (size_t)n, shown, sizeof(shown));
		sfail(s, "got %zd unexpected bytes \"%s\" instead of the end",
		    n, shown);
		return (-1);
	}
	if (type == ST_EOF && s->rend != END_EOF) {
		sfail(s, "expected EOF (FIN), got %s", end_str(s));
		return (-1);
	}
	if (type == ST_RESET && s->rend != END_RESET) {
		sfail(s, "expected a reset (ECONNRESET), got %s", end_str(s));
		return (-1);
	}
	if (s->rend == END_ERROR) {
		sfail(s, "expected EOF or reset, got %s", end_str(s));
		return (-1);
	}
	printf("%s: %s: %s after %.3f s\n", s->label, s->step,
	    s->rend == END_EOF ? "eof" : "reset", mono() - start);
	return (0);
}

/* Both directions at once, so neither end can wait on the other's reads. */
static int
step_bulk(struct sess *s, uint64_t total)
{
	unsigned char	*txbuf, *rxbuf, *want;
	struct pollfd	 pfd;
	uint64_t	 sent = 0, rcvd = 0, txh = FNV_INIT, rxh = FNV_INIT;
	size_t		 txlen = 0, txoff = 0, i;
	double		 start = mono(), deadline = start + opts.timeout;
	ssize_t		 n;
	int		 rc = -1;

	txbuf = malloc(FWTEST_CHUNK);
	rxbuf = malloc(FWTEST_CHUNK);
	want = malloc(FWTEST_CHUNK);
	if (txbuf == NULL || rxbuf == NULL || want == NULL)
		die("out of memory");
	while (sent < total || rcvd < total) {
		if (sent < total && txoff == txlen) {
			txlen = total - sent < FWTEST_CHUNK ?
			    (size_t)(total - sent) : FWTEST_CHUNK;
			pattern_fill(s->txkey, s->txpos, txbuf, txlen);
			txoff = 0;
		}
		pfd.fd = s->fd;
		pfd.events = (rcvd < total ? POLLIN : 0) |
		    (sent < total ? POLLOUT : 0);
		pfd.revents = 0;
		n = poll(&pfd, 1, (int)((deadline - mono()) * 1000) + 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || mono() > deadline) {
			sfail(s, "no progress for %.1f s: sent %llu, received "
			    "%llu of %llu bytes", opts.timeout,
			    (unsigned long long)sent, (unsigned long long)rcvd,
			    (unsigned long long)total);
			goto fail;
		}
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    rcvd < total) {
			n = sess_read(s, rxbuf, total - rcvd < FWTEST_CHUNK ?
			    (size_t)(total - rcvd) : FWTEST_CHUNK, mono());
			if (n > 0) {
				pattern_fill(s->rxkey, s->rxpos, want,
				    (size_t)n);
				if (memcmp(rxbuf, want, (size_t)n) != 0) {
					for (i = 0; rxbuf[i] == want[i]; i++)
						;
					sfail(s, "received data differs from "
					    "the peer's pattern at offset "
					    "%llu", (unsigned long long)
					    (s->rxpos + i));
					goto fail;
				}
				rxh = fnv1a(rxh, rxbuf, (size_t)n);
				s->rxpos += (uint64_t)n;
				rcvd += (uint64_t)n;
				deadline = mono() + opts.timeout;
			} else if (n != -2) {
				sfail(s, "got %s after receiving %llu of %llu "
				    "bytes (sent %llu)", end_str(s),
				    (unsigned long long)rcvd,
				    (unsigned long long)total,
				    (unsigned long long)sent);
				goto fail;
			}
		}
		if ((pfd.revents & (POLLOUT | POLLERR)) && sent < total) {
			n = send(s->fd, txbuf + txoff, txlen - txoff,
			    MSG_NOSIGNAL);
			if (n > 0) {
				txh = fnv1a(txh, txbuf + txoff, (size_t)n);
				txoff += (size_t)n;
				s->txpos += (uint64_t)n;
				sent += (uint64_t)n;
				deadline = mono() + opts.timeout;
			} else if (n == -1 && errno != EAGAIN &&
			    errno != EWOULDBLOCK && errno != EINTR) {
				sfail(s, "write failed after %llu of %llu "
				    "bytes: %s", (unsigned long long)sent,
				    (unsigned long long)total,
				    strerror(errno));
				goto fail;
			}
		}
	}
	printf("%s: bulk: sent=%llu sent_fnv=%016llx received=%llu "
	    "received_fnv=%016llx pattern=ok seconds=%.3f\n", s->label,
	    (unsigned long long)sent, (unsigned long long)txh,
	    (unsigned long long)rcvd, (unsigned long long)rxh, mono() - start);
	rc = 0;
 fail:
	free(txbuf);
	free(rxbuf);
	free(want);
	return (rc);
}

/*
 * The steps of a session, one function each (or one per family); each
 * returns 0 when what it expects happened, -1 after sfail(). buf and want
 * are FWTEST_CHUNK bytes of scratch; t0 is when the step began.
 */
struct step_ctx {
	struct sess		*s;
	const struct step	*st;
	unsigned char		*buf, *want;
	double			 t0, deadline;
};

static int
step_send(struct step_ctx *x)
{
	if (sess_write(x->s, x->st->data, x->st->len, x->deadline) != 0) {
		sfail(x->s, "write: %s", strerror(errno));
		return (-1);
	}
	return (0);
}

static int
step_recv(struct step_ctx *x)
{
	struct sess		*s = x->s;
	const struct step	*st = x->st;
	char			 shown[FWTEST_LINE_MAX * 4];
	size_t			 got;

	if (st->len > FWTEST_CHUNK)
		die("recv text too long");
	if (read_exact(s, x->buf, st->len, x->deadline, &got) == -1) {
		show(x->buf, got, shown, sizeof(shown));
		fprintf(stderr, "  (received before: \"%s\")\n", shown);
		return (-1);
	}
	if (memcmp(x->buf, st->data, st->len) != 0) {
		show(x->buf, st->len, shown, sizeof(shown));
		sfail(s, "got \"%s\"", shown);
		return (-1);
	}
	return (0);
}

/* sendn:N: N bytes of this side's pattern. */
static int
step_sendn(struct step_ctx *x)
{
	struct sess		*s = x->s;
	const struct step	*st = x->st;
	uint64_t		 left;
	size_t			 len;

	for (left = st->n; left > 0; left -= len) {
		len = left < FWTEST_CHUNK ? (size_t)left : FWTEST_CHUNK;
		pattern_fill(s->txkey, s->txpos, x->buf, len);
		if (sess_write(s, x->buf, len, mono() + opts.timeout) != 0) {
			sfail(s, "write failed after %llu of %llu bytes: %s",
			    (unsigned long long)(st->n - left),
			    (unsigned long long)st->n, strerror(errno));
			return (-1);
		}
		s->txpos += len;
	}
	return (0);
}

/* recvn:N: N bytes, each the peer's pattern at its offset. */
static int
step_recvn(struct step_ctx *x)
{
	struct sess		*s = x->s;
	const struct step	*st = x->st;
	uint64_t		 left;
	size_t			 len, got, i;

	for (left = st->n; left > 0; left -= len) {
		len = left < FWTEST_CHUNK ? (size_t)left : FWTEST_CHUNK;
		if (read_exact(s, x->buf, len, mono() + opts.timeout,
		    &got) == -1) {
			fprintf(stderr, "  (%llu of %llu bytes received "
			    "before)\n", (unsigned long long)(st->n - left +
			    got), (unsigned long long)st->n);
			return (-1);
		}
		pattern_fill(s->rxkey, s->rxpos, x->want, len);
		if (memcmp(x->buf, x->want, len) != 0) {
			for (i = 0; x->buf[i] == x->want[i]; i++)
				;
			sfail(s, "data differs from the peer's pattern at "
			    "offset %llu", (unsigned long long)(s->rxpos + i));
			return (-1);
		}
		s->rxpos += len;
	}
	return (0);
}

/* sink: read to EOF, print the count and hash. */
static int
step_sink(struct step_ctx *x)
{
	struct sess	*s = x->s;
	uint64_t	 h = FNV_INIT, count = 0;
	ssize_t		 n;

	for (;;) {
		n = sess_read(s, x->buf, FWTEST_CHUNK, mono() + opts.timeout);
		if (n <= 0)
			break;
		h = fnv1a(h, x->buf, (size_t)n);
		count += (uint64_t)n;
	}
	if (n == -2) {
		sfail(s, "no data and no EOF for %.1f s after %llu bytes",
		    opts.timeout, (unsigned long long)count);
		return (-1);
	}
	printf("%s: sink: bytes=%llu fnv=%016llx end=%s\n", s->label,
	    (unsigned long long)count, (unsigned long long)h,
	    s->rend == END_EOF ? "eof" : "reset");
	if (s->rend != END_EOF) {
		sfail(s, "ended with %s, not EOF", end_str(s));
		return (-1);
	}
	return (0);
}

/* echo: send back what comes until the peer ends. */
static int
step_echo(struct step_ctx *x)
{
	struct sess	*s = x->s;
	uint64_t	 count = 0;
	ssize_t		 n;

	/* The peer sets the pace: only the run's deadline bounds it. */
	for (;;) {
		n = sess_read(s, x->buf, FWTEST_CHUNK, mono() + 86400);
		if (n <= 0)
			break;
		if (sess_write(s, x->buf, (size_t)n, mono() + opts.timeout) !=
		    0) {
			if (errno == EPIPE || errno == ECONNRESET) {
				s->rend = END_RESET;
				break;
			}
			sfail(s, "echo write: %s", strerror(errno));
			return (-1);
		}
		count += (uint64_t)n;
	}
	if (s->rend == END_EOF && shutdown(s->fd, SHUT_WR) == -1 &&
	    errno != ENOTCONN) {
		sfail(s, "shutdown: %s", strerror(errno));
		return (-1);
	}
	printf("%s: echo: %llu bytes, ended by %s\n", s->label,
	    (unsigned long long)count, end_str(s));
	return (0);
}

/* silence:T: nothing arrives, not even the end, for T seconds. */
static int
step_silence(struct step_ctx *x)
{
	struct sess	*s = x->s;
	char		 shown[FWTEST_LINE_MAX * 4];
	ssize_t		 n;

	if (s->rend != END_NONE) {
		sfail(s, "the connection already ended with %s", end_str(s));
		return (-1);
	}
	if (wait_io(s->fd, POLLIN, x->t0 + x->st->t) != 0) {
		n = recv(s->fd, x->buf, FWTEST_CHUNK, MSG_PEEK | MSG_DONTWAIT);
		if (n > 0) {
			show(x->buf, (size_t)n, shown, sizeof(shown));
			sfail(s, "got %zd bytes \"%s\" after %.3f s", n, shown,
			    mono() - x->t0);
		} else if (n == 0)
			sfail(s, "got EOF after %.3f s", mono() - x->t0);
		else
			sfail(s, "got %s after %.3f s", strerror(errno),
			    mono() - x->t0);
		return (-1);
	}
	printf("%s: silence: nothing for %.3f s\n", s->label, x->st->t);
	return (0);
}

/* shut, rst (close with SO_LINGER 0: a reset), close. */
static int
step_close(struct step_ctx *x)
{
	struct sess	*s = x->s;
	struct linger	 lg;

	if (x->st->def->type == ST_SHUT) {
		if (shutdown(s->fd, SHUT_WR) == -1) {
			sfail(s, "shutdown: %s", strerror(errno));
			return (-1);
		}
		return (0);
	}
	if (x->st->def->type == ST_RST) {
		lg.l_onoff = 1;
		lg.l_linger = 0;
		if (setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg,
		    sizeof(lg)) == -1) {
			sfail(s, "SO_LINGER: %s", strerror(errno));
			return (-1);
		}
	}
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	return (0);
}

/*
 * peer[:ADDR]: the server tells the address it saw ("peer=ADDR:PORT"),
 * the client reads it and, given ADDR, checks it.
 */
static int
step_peer(struct step_ctx *x)
{
	struct sess		*s = x->s;
	const struct step	*st = x->st;
	char			 line[FWTEST_LINE_MAX], *colon;
	char			 abuf[INET6_ADDRSTRLEN + 16];
	size_t			 len, got;

	if (s->role == ROLE_SERVER) {
		snprintf(line, sizeof(line), "peer=%s\n",
		    addr_fmt(&s->peer, abuf, sizeof(abuf)));
		if (sess_write(s, line, strlen(line), x->deadline) != 0) {
			sfail(s, "write: %s", strerror(errno));
			return (-1);
		}
		return (0);
	}
	for (len = 0; len < sizeof(line) - 1; len++) {
		if (read_exact(s, (unsigned char *)line + len, 1, x->deadline,
		    &got) == -1)
			return (-1);
		if (line[len] == '\n')
			break;
	}
	line[len] = '\0';
	if (strncmp(line, "peer=", 5) != 0 ||
	    (colon = strrchr(line, ':')) == NULL) {
		sfail(s, "expected \"peer=ADDR:PORT\", got \"%s\"", line);
		return (-1);
	}
	printf("%s: %s\n", s->label, line);
	*colon = '\0';
	if (st->has_arg && strcmp(line + 5, st->data) != 0) {
		sfail(s, "the server saw the connection from %s, expected %s",
		    line + 5, st->data);
		return (-1);
	}
	return (0);
}

/* touch:FILE (the time, written whole by a rename), waitfile:FILE. */
static int
step_file(struct step_ctx *x)
{
	struct sess		*s = x->s;
	const struct step	*st = x->st;
	char			 line[FWTEST_LINE_MAX];
	struct stat		 sb;
	FILE			*f;

	if (st->def->type == ST_WAITFILE) {
		while (stat(st->data, &sb) == -1) {
			if (mono() > x->deadline) {
				sfail(s, "%s did not appear within %.1f s",
				    st->data, opts.timeout);
				return (-1);
			}
			(void)poll(NULL, 0, 10);
		}
		return (0);
	}
	snprintf(line, sizeof(line), "%s.tmp", st->data);
	if ((f = fopen(line, "w")) == NULL) {
		sfail(s, "%s: %s", line, strerror(errno));
		return (-1);
	}
	fprintf(f, "%.6f\n", wall());
	fclose(f);
	if (rename(line, st->data) == -1) {
		sfail(s, "rename %s: %s", st->data, strerror(errno));
		return (-1);
	}
	return (0);
}

/* ping:N, hold:T, holduntil:FILE: checked echoes, N, for T or until. */
static int
step_hold(struct step_ctx *x)
{
	struct sess		*s = x->s;
	const struct step	*st = x->st;
	struct stat		 sb;
	double			 until;
	int			 seq;

	if (st->def->type == ST_PING) {
		for (seq = 1; (uint64_t)seq <= st->n; seq++)
			if (ping_once(s, seq, NULL) == -1)
				return (-1);
		return (0);
	}
	until = x->t0 + (st->def->type == ST_HOLD ? st->t : 86400);
	for (seq = 1; mono() < until; seq++) {
		if (st->def->type == ST_HOLDUNTIL && stat(st->data, &sb) == 0)
			break;
		if (ping_once(s, seq, NULL) == -1) {
			fprintf(stderr, "  (the echo broke %.3f s into the "
			    "hold, after %d good ones)\n", mono() - x->t0,
			    seq - 1);
			return (-1);
		}
		(void)poll(NULL, 0, (int)(opts.interval * 1000));
	}
	printf("%s: hold: %d echoes in %.3f s\n", s->label, seq - 1,
	    mono() - x->t0);
	return (0);
}

/* flood:N: back-pressure: a peer that does not read must stop us. */
static int
step_flood(struct step_ctx *x)
{
	struct sess		*s = x->s;
	const struct step	*st = x->st;
	uint64_t		 left, h = FNV_INIT;
	size_t			 len;
	ssize_t			 n;

	for (left = st->n; left > 0; left -= (uint64_t)n) {
		len = left < FWTEST_CHUNK ? (size_t)left : FWTEST_CHUNK;
		pattern_fill(s->txkey, s->txpos, x->buf, len);
		while ((n = send(s->fd, x->buf, len, MSG_NOSIGNAL)) == -1 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			if (wait_io(s->fd, POLLOUT, mono() + FWTEST_STALL) == 0)
				break;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n == -1) {
			sfail(s, "write failed after %llu bytes: %s",
			    (unsigned long long)(st->n - left),
			    strerror(errno));
			return (-1);
		}
		h = fnv1a(h, x->buf, (size_t)n);
		s->txpos += (uint64_t)n;
	}
	printf("%s: flood: sent=%llu sent_fnv=%016llx blocked=%s "
	    "seconds=%.3f\n", s->label, (unsigned long long)(st->n - left),
	    (unsigned long long)h, left > 0 ? "yes" : "no", mono() - x->t0);
	if (left == 0) {
		sfail(s, "no back-pressure: all %llu bytes were taken without "
		    "writing ever blocking for %.1f s",
		    (unsigned long long)st->n, FWTEST_STALL);
		return (-1);
	}
	return (0);
}

/* holdcut:T: echoes until the relay cuts the connection, within T. */
static int
step_holdcut(struct step_ctx *x)
{
	struct sess	*s = x->s;
	char		 line[FWTEST_LINE_MAX];
	double		 until = x->t0 + x->st->t;
	int		 seq, cut = END_NONE;

	for (seq = 1; ; seq++) {
		if (mono() > until) {
			sfail(s, "still open after %.1f s and %d echoes",
			    x->st->t, seq - 1);
			return (-1);
		}
		if (ping_once(s, seq, &cut) == -1) {
			if (cut == END_NONE)
				return (-1);
			break;
		}
		/* The last good echo, for the script's clock. */
		snprintf(line, sizeof(line), "%.6f", wall());
		(void)poll(NULL, 0, (int)(opts.interval * 1000));
	}
	if (cut == END_ERROR) {
		sfail(s, "cut with %s", end_str(s));
		return (-1);
	}
	printf("%s: hold-cut: echoes=%d last_ok=%s cut=%s at=%.6f\n",
	    s->label, seq - 1, seq > 1 ? line : "none",
	    cut == END_RESET ? "reset" : "eof", wall());
	return (0);
}

static int
step_dispatch(struct step_ctx *x)
{
	const struct step	*st = x->st;
	double			 until;

	switch (st->def->type) {
	case ST_SEND:
		return (step_send(x));
	case ST_RECV:
		return (step_recv(x));
	case ST_SENDN:
		return (step_sendn(x));
	case ST_RECVN:
		return (step_recvn(x));
	case ST_BULK:
		return (step_bulk(x->s, st->n));
	case ST_SINK:
		return (step_sink(x));
	case ST_ECHO:
		return (step_echo(x));
	case ST_EOF:
	case ST_RESET:
	case ST_END:
		return (expect_end(x->s, st->def->type, st->has_arg ? st->t :
		    opts.timeout));
	case ST_SILENCE:
		return (step_silence(x));
	case ST_SHUT:
	case ST_RST:
	case ST_CLOSE:
		return (step_close(x));
	case ST_SLEEP:
		until = x->t0 + st->t;
		while (mono() < until)
			(void)poll(NULL, 0, (int)((until - mono()) * 1000) + 1);
		return (0);
	case ST_PEER:
		return (step_peer(x));
	case ST_TOUCH:
	case ST_WAITFILE:
		return (step_file(x));
	case ST_PING:
	case ST_HOLD:
	case ST_HOLDUNTIL:
		return (step_hold(x));
	case ST_FLOOD:
		return (step_flood(x));
	case ST_HOLDCUT:
		return (step_holdcut(x));
	}
	return (0);
}

/* Run one step; 0 when what it expects happened, -1 after sfail(). */
static int
step_run(struct sess *s, const struct step *st)
{
	struct step_ctx	 x;
	int		 rc;

	s->step = st->token;
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.st = st;
	x.t0 = mono();
	x.deadline = x.t0 + opts.timeout;
	if ((x.buf = malloc(FWTEST_CHUNK)) == NULL ||
	    (x.want = malloc(FWTEST_CHUNK)) == NULL)
		die("out of memory");
	rc = step_dispatch(&x);
	free(x.buf);
	free(x.want);
	return (rc);
}

static int
sess_run(struct sess *s)
{
	int	 i;

	for (i = 0; i < opts.nsteps; i++)
		if (step_run(s, &opts.steps[i]) == -1)
			return (-1);
	return (0);
}

static void
sess_init(struct sess *s, int fd, enum role role)
{
	socklen_t	 len;
	char		 a[INET6_ADDRSTRLEN + 16], b[INET6_ADDRSTRLEN + 16];

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->role = role;
	s->txkey = mix64(opts.seed) ^ (role == ROLE_CLIENT ? KEY_UP : KEY_DOWN);
	s->rxkey = mix64(opts.seed) ^ (role == ROLE_CLIENT ? KEY_DOWN : KEY_UP);
	len = sizeof(s->peer);
	(void)getpeername(fd, (struct sockaddr *)&s->peer, &len);
	len = sizeof(s->local);
	(void)getsockname(fd, (struct sockaddr *)&s->local, &len);
	snprintf(s->label, sizeof(s->label), "%s %s%s%s", role == ROLE_CLIENT ?
	    "client" : "server", addr_fmt(&s->local, a, sizeof(a)),
	    role == ROLE_CLIENT ? "->" : "<-",
	    addr_fmt(&s->peer, b, sizeof(b)));
	(void)set_nonblock(fd);
}

static void
steps_parse(int argc, char **argv)
{
	const struct step_def	*sd;
	struct step		*st;
	const char		*arg;
	size_t			 nlen;
	int			 i;

	if ((opts.steps = calloc((size_t)argc + 1, sizeof(*st))) == NULL)
		die("out of memory");
	for (i = 0; i < argc; i++) {
		st = &opts.steps[opts.nsteps++];
		st->token = argv[i];
		arg = strchr(argv[i], ':');
		nlen = arg != NULL ? (size_t)(arg - argv[i]) : strlen(argv[i]);
		for (sd = step_defs; sd->name != NULL; sd++)
			if (strlen(sd->name) == nlen &&
			    strncmp(sd->name, argv[i], nlen) == 0)
				break;
		if (sd->name == NULL)
			die("unknown step \"%s\" (see fwtest -h)", argv[i]);
		st->def = sd;
		if (arg != NULL)
			arg++;
		st->has_arg = arg != NULL;
		switch (sd->arg) {
		case ARG_NONE:
			if (arg != NULL)
				die("step %s takes no argument", sd->name);
			break;
		case ARG_TEXT:
		case ARG_PATH:
			if (arg == NULL || *arg == '\0')
				die("step %s needs an argument", sd->name);
			/* FALLTHROUGH */
		case ARG_OPTTEXT:
			if (arg != NULL)
				st->data = sd->arg == ARG_PATH ? strdup(arg) :
				    unescape(arg, &st->len);
			break;
		case ARG_SIZE:
			if (arg == NULL)
				die("step %s needs a size", sd->name);
			st->n = parse_size(arg);
			break;
		case ARG_COUNT:
			st->n = arg != NULL ? parse_size(arg) : 1;
			break;
		case ARG_TIME:
			if (arg == NULL)
				die("step %s needs seconds", sd->name);
			/* FALLTHROUGH */
		case ARG_OPTTIME:
			if (arg != NULL)
				st->t = parse_time(arg);
			break;
		}
	}
}

/* --mode NAME: the usual conversations, in terms of steps. */
static void
steps_preset(enum role role)
{
	char	 b[64], t[64], p[PATH_MAX + 16];
	char	*v[8];
	int	 n = 0;

	snprintf(b, sizeof(b), "%llu", (unsigned long long)opts.bytes);
	snprintf(t, sizeof(t), "%.3f", opts.hold_for);
	snprintf(p, sizeof(p), "hold-until:%s", opts.stop_file != NULL ?
	    opts.stop_file : "");
#define ADD(x)	(v[n++] = (x))
	if (strcmp(opts.mode, "echo") == 0 && role == ROLE_SERVER) {
		ADD("echo");
		ADD("close");
	} else if (strcmp(opts.mode, "echo") == 0) {
		ADD("ping:10");
		ADD("shut");
		ADD("eof");
		ADD("close");
	} else if (strcmp(opts.mode, "sink") == 0 && role == ROLE_SERVER) {
		ADD("sink");
		ADD("close");
	} else if (strcmp(opts.mode, "source") == 0 && role == ROLE_SERVER) {
		static char sendn[96];
		snprintf(sendn, sizeof(sendn), "sendn:%s", b);
		ADD(sendn);
		ADD("shut");
		ADD("sink");
		ADD("close");
	} else if (strcmp(opts.mode, "peer") == 0 && role == ROLE_SERVER) {
		ADD("peer");
		ADD("echo");
		ADD("close");
	} else if (strcmp(opts.mode, "halfclose") == 0) {
		static char recvn[96], sendn[96];
		snprintf(recvn, sizeof(recvn), "recvn:%s", b);
		snprintf(sendn, sizeof(sendn), "sendn:%s", b);
		/* Client shuts first; the server answers only after EOF. */
		if (role == ROLE_SERVER) {
			ADD(recvn);
			ADD("eof");
			ADD(sendn);
			ADD("shut");
		} else {
			ADD(sendn);
			ADD("shut");
			ADD(recvn);
			ADD("eof");
		}
		ADD("close");
	} else if (strcmp(opts.mode, "reset") == 0 && role == ROLE_SERVER) {
		static char recvn[96];
		snprintf(recvn, sizeof(recvn), "recvn:%s", b);
		if (opts.bytes > 0)
			ADD(recvn);
		ADD("rst");
	} else if (strcmp(opts.mode, "bulk") == 0) {
		static char bulk[96];
		snprintf(bulk, sizeof(bulk), "bulk:%s", b);
		ADD(bulk);
		ADD("shut");
		ADD("eof");
		ADD("close");
	} else if (strcmp(opts.mode, "expect-reset") == 0 &&
	    role == ROLE_CLIENT) {
		static char sendn[96];
		snprintf(sendn, sizeof(sendn), "sendn:%s", b);
		if (opts.bytes > 0)
			ADD(sendn);
		ADD("reset");
	} else if (strcmp(opts.mode, "expect-eof") == 0 &&
	    role == ROLE_CLIENT) {
		ADD("eof");
		ADD("close");
	} else if (strcmp(opts.mode, "expect-silence") == 0 &&
	    role == ROLE_CLIENT) {
		static char sil[96];
		snprintf(sil, sizeof(sil), "silence:%s", t);
		ADD(sil);
		ADD("close");
	} else if (strcmp(opts.mode, "hold") == 0 && role == ROLE_CLIENT) {
		static char hold[PATH_MAX + 32];
		if (opts.stop_file != NULL)
			snprintf(hold, sizeof(hold), "%s", p);
		else
			snprintf(hold, sizeof(hold), "hold:%s", t);
		ADD(hold);
		ADD("shut");
		ADD("eof");
		ADD("close");
	} else
		die("no mode \"%s\" for the %s", opts.mode,
		    role == ROLE_SERVER ? "server" : "client");
#undef ADD
	steps_parse(n, v);
}

/* Written once listening, renamed into place so a reader never sees half. */
static int
write_ready(const char *path, int port)
{
	char	 tmp[PATH_MAX];
	FILE	*f;

	if (path == NULL) {
		printf("ready %d\n", port);
		return (0);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return (-1);
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, path) == -1)
		return (-1);
	return (0);
}

static int
listen_on(const char *str, int backlog, struct sockaddr_storage *ss)
{
	socklen_t	 len;
	int		 s, on = 1;

	if (str == NULL)
		die("--listen ADDR:PORT is needed");
	if (addr_parse(str, 0, ss, &len) == -1)
		die("bad address \"%s\"", str);
	if ((s = socket(ss->ss_family, SOCK_STREAM, 0)) == -1)
		die("socket: %s", strerror(errno));
	(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(s, (struct sockaddr *)ss, len) == -1)
		die("bind %s: %s", str, strerror(errno));
	if (listen(s, backlog) == -1)
		die("listen: %s", strerror(errno));
	len = sizeof(*ss);
	if (getsockname(s, (struct sockaddr *)ss, &len) == -1)
		die("getsockname: %s", strerror(errno));
	return (s);
}

static void *
server_conn(void *arg)
{
	struct sess	*s = arg;

	if (sess_run(s) == -1 && s->fd != -1) {
		/* A failed server leaves no half-open peer behind. */
		close(s->fd);
		s->fd = -1;
	}
	if (s->fd != -1)
		close(s->fd);
	free(s);
	return (NULL);
}

static int
cmd_server(void)
{
	struct sockaddr_storage	 ss;
	pthread_attr_t		 attr;
	pthread_t		*tids = NULL;
	struct sess		*s;
	char			 a[INET6_ADDRSTRLEN + 16];
	int			 ls, fd, i, n = 0;

	if (opts.mode != NULL)
		steps_preset(ROLE_SERVER);
	if (opts.nsteps == 0)
		die("no steps and no --mode");
	raise_nofile();
	ls = listen_on(opts.listen, 4096, &ss);
	if (opts.count > 0 && (tids = calloc((size_t)opts.count,
	    sizeof(*tids))) == NULL)
		die("out of memory");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (opts.count == 0)
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (write_ready(opts.ready_file, ss_port(&ss)) == -1)
		die("%s: %s", opts.ready_file, strerror(errno));
	printf("server listening on %s\n", addr_fmt(&ss, a, sizeof(a)));
	for (;;) {
		if (opts.count > 0 && n == opts.count)
			break;
		if ((fd = accept(ls, NULL, NULL)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept: %s", strerror(errno));
		}
		if ((s = malloc(sizeof(*s))) == NULL)
			die("out of memory");
		sess_init(s, fd, ROLE_SERVER);
		snprintf(s->label + strlen(s->label), sizeof(s->label) -
		    strlen(s->label), " #%d", n + 1);
		if (opts.count > 0) {
			if (pthread_create(&tids[n], &attr, server_conn, s))
				die("pthread_create failed");
		} else {
			pthread_t	 tid;

			if (pthread_create(&tid, &attr, server_conn, s))
				die("pthread_create failed");
		}
		n++;
	}
	close(ls);
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	pthread_attr_destroy(&attr);
	printf("server: %d connections, %d failures\n", n, nfailed);
	return (nfailed > 0 ? 1 : 0);
}

/*
 * Connect, bounded by --timeout. Returns the socket, or -1 with *err set
 * to the errno of the failed connect. A socket returned with *err set to
 * ECONNRESET was connected and then reset before we looked.
 */
static int
connect_to(const char *dst, const char *src, int quiet, int *err)
{
	struct sockaddr_storage	 ss, sss;
	socklen_t		 len, slen, elen;
	int			 s, e = 0, r, on = 1;

	*err = 0;
	if (dst == NULL)
		die("--connect ADDR:PORT is needed");
	if (addr_parse(dst, 0, &ss, &len) == -1)
		die("bad address \"%s\"", dst);
	if ((s = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
		die("socket: %s", strerror(errno));
	if (src != NULL) {
		if (addr_parse(src, 1, &sss, &slen) == -1)
			die("bad source address \"%s\"", src);
		(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(s, (struct sockaddr *)&sss, slen) == -1)
			die("bind %s: %s", src, strerror(errno));
	}
	(void)set_nonblock(s);
	if (connect(s, (struct sockaddr *)&ss, len) == -1) {
		if (errno != EINPROGRESS) {
			e = errno;
			goto fail;
		}
		r = wait_io(s, POLLOUT, mono() + opts.timeout);
		if (r == 0) {
			e = ETIMEDOUT;
			goto fail;
		}
		elen = sizeof(e);
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &elen) == -1)
			e = errno;
		/*
		 * A reset can only come after the handshake: connected, and
		 * reading SO_ERROR consumed the reset, so hand it on.
		 */
		if (e == ECONNRESET) {
			*err = e;
			return (s);
		}
		if (e != 0)
			goto fail;
	}
	return (s);
 fail:
	close(s);
	*err = e;
	if (!quiet)
		fprintf(stderr, "fwtest %s: connect to %s: %s\n", cmdname, dst,
		    strerror(e));
	return (-1);
}

static int
cmd_client(void)
{
	struct sess	 s;
	int		 fd, err;

	if (opts.mode != NULL)
		steps_preset(ROLE_CLIENT);
	if (opts.expect_refused) {
		fd = connect_to(opts.connect, opts.source, 1, &err);
		if (fd != -1) {
			fprintf(stderr, "fwtest client: FAIL: connect to %s "
			    "succeeded, expected ECONNREFUSED\n", opts.connect);
			close(fd);
			return (1);
		}
		if (err != ECONNREFUSED) {
			fprintf(stderr, "fwtest client: FAIL: connect to %s: "
			    "%s, expected ECONNREFUSED\n", opts.connect,
			    strerror(err));
			return (1);
		}
		printf("client: connect to %s refused\n", opts.connect);
		return (0);
	}
	if (opts.nsteps == 0)
		die("no steps and no --mode");
	if ((fd = connect_to(opts.connect, opts.source, 0, &err)) == -1)
		return (1);
	sess_init(&s, fd, ROLE_CLIENT);
	if (err == ECONNRESET) {
		s.rend = END_RESET;
		s.rerrno = err;
	}
	if (sess_run(&s) == -1) {
		if (s.fd != -1)
			close(s.fd);
		return (1);
	}
	if (s.fd != -1)
		close(s.fd);
	return (0);
}

struct cconn {
	int	 fd;
	int	 state;		/* 0 connecting, 1 open, 2 eof seen */
	size_t	 off;		/* bytes of this round written */
	size_t	 got;		/* bytes of this round read back */
};

/*
 * C connections open at the same time, each from one of the sources in
 * turn, each echo-checked with its own message for R rounds, then closed
 * with a half-close whose EOF must come back through the relay.
 */
/* --sources A,B,...: the client addresses, used in turn. */
static int
sources_parse(struct sockaddr_storage *src, socklen_t *slen)
{
	char	*list, *tok, *save;
	int	 nsrc = 0;

	if (opts.sources == NULL)
		return (0);
	if ((list = strdup(opts.sources)) == NULL)
		die("out of memory");
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (nsrc == FWTEST_MAX_SOURCES)
			die("too many sources");
		if (addr_parse(tok, 1, &src[nsrc], &slen[nsrc]) == -1)
			die("bad source \"%s\"", tok);
		nsrc++;
	}
	free(list);
	return (nsrc);
}

/*
 * Open opts.count connections to dst, from the nsrc sources in turn, a
 * bounded number of handshakes at a time; all are open when it returns.
 */
static void
cc_open_all(struct cconn *cc, struct pollfd *pfd,
    const struct sockaddr_storage *dst, socklen_t dlen,
    const struct sockaddr_storage *src, const socklen_t *slen, int nsrc)
{
	double		 deadline;
	socklen_t	 elen;
	int		 i, j, r, next = 0, inflight = 0, open = 0, e, on = 1;
	int		 np;

	deadline = mono() + opts.timeout;
	while (open < opts.count) {
		while (inflight < FWTEST_INFLIGHT && next < opts.count) {
			i = next++;
			if ((cc[i].fd = socket(dst->ss_family, SOCK_STREAM, 0))
			    == -1)
				die("socket %d: %s", i, strerror(errno));
			(void)set_nonblock(cc[i].fd);
			if (nsrc > 0) {
				(void)setsockopt(cc[i].fd, SOL_SOCKET,
				    SO_REUSEADDR, &on, sizeof(on));
				if (bind(cc[i].fd, (const struct sockaddr *)
				    &src[i % nsrc], slen[i % nsrc]) == -1)
					die("bind %d: %s", i, strerror(errno));
			}
			if (connect(cc[i].fd, (const struct sockaddr *)dst,
			    dlen) == 0) {
				cc[i].state = 1;
				open++;
			} else if (errno == EINPROGRESS)
				inflight++;
			else
				die("FAIL: connection %d: connect: %s", i,
				    strerror(errno));
		}
		for (np = 0, i = 0; i < next; i++)
			if (cc[i].state == 0) {
				pfd[np].fd = cc[i].fd;
				pfd[np].events = POLLOUT;
				pfd[np].revents = 0;
				np++;
			}
		if (np == 0)
			continue;
		r = poll(pfd, (nfds_t)np, (int)((deadline - mono()) * 1000) +
		    1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0 || mono() > deadline)
			die("FAIL: %d of %d connections open, no progress for "
			    "%.1f s", open, opts.count, opts.timeout);
		for (j = 0, i = 0; i < next; i++) {
			if (cc[i].state != 0)
				continue;
			if (pfd[j++].revents == 0)
				continue;
			elen = sizeof(e);
			if (getsockopt(cc[i].fd, SOL_SOCKET, SO_ERROR, &e,
			    &elen) == -1)
				e = errno;
			if (e != 0)
				die("FAIL: connection %d: connect: %s", i,
				    strerror(e));
			cc[i].state = 1;
			open++;
			inflight--;
			deadline = mono() + opts.timeout;
		}
	}
}

/*
 * C connections open at the same time, each from one of the sources in
 * turn, each echo-checked with its own message for R rounds, then closed
 * with a half-close whose EOF must come back through the relay. With
 * --ready-file, the file is written once every connection has echoed
 * while all are open, and with --stop-file they stay open until it exists.
 */
/* The message connection i sends in round r: opts.size bytes. */
static void
cc_message(char *msg, int i, int r)
{
	size_t	 len;

	memset(msg, '.', opts.size);
	len = (size_t)snprintf(msg, opts.size, "conn %05d round %02d ", i, r);
	msg[len] = '.';
	msg[opts.size - 1] = '\n';
}

/* One connection's turn in an echo round; 1 when its echo is whole. */
static int
cc_echo_step(struct cconn *c, short revents, int i, int r, char *msg,
    char *got)
{
	char		 shown[256];
	ssize_t		 n;

	cc_message(msg, i, r);
	if (revents & POLLOUT) {
		n = send(c->fd, msg + c->off, opts.size - c->off,
		    MSG_NOSIGNAL);
		if (n == -1 && errno != EAGAIN)
			die("FAIL: connection %d: write: %s", i,
			    strerror(errno));
		if (n > 0)
			c->off += (size_t)n;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return (0);
	n = recv(c->fd, got, opts.size - c->got, 0);
	if (n == 0)
		die("FAIL: connection %d: EOF in round %d", i, r + 1);
	if (n == -1 && errno == EAGAIN)
		return (0);
	if (n == -1)
		die("FAIL: connection %d: read in round %d: %s", i, r + 1,
		    strerror(errno));
	if (memcmp(got, msg + c->got, (size_t)n)) {
		show((unsigned char *)got, (size_t)n, shown, sizeof(shown));
		die("FAIL: connection %d: echo mismatch: got \"%s\"", i, shown);
	}
	c->got += (size_t)n;
	return (c->got == opts.size ? 2 : 1);
}

/* Round r: every connection echoes its own message while all are open. */
static void
cc_echo_round(struct cconn *cc, struct pollfd *pfd, int r, char *msg,
    char *got)
{
	double	 deadline = mono() + opts.timeout;
	ssize_t	 n;
	int	 i, done = 0, st;

	for (i = 0; i < opts.count; i++)
		cc[i].off = cc[i].got = 0;
	while (done < opts.count) {
		for (i = 0; i < opts.count; i++) {
			pfd[i].fd = cc[i].got < opts.size ? cc[i].fd : -1;
			pfd[i].events = POLLIN |
			    (cc[i].off < opts.size ? POLLOUT : 0);
			pfd[i].revents = 0;
		}
		n = poll(pfd, (nfds_t)opts.count,
		    (int)((deadline - mono()) * 1000) + 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || mono() > deadline)
			die("FAIL: round %d: %d of %d connections echoed, no "
			    "progress for %.1f s", r + 1, done, opts.count,
			    opts.timeout);
		for (i = 0; i < opts.count; i++) {
			if (pfd[i].revents == 0)
				continue;
			st = cc_echo_step(&cc[i], pfd[i].revents, i, r, msg,
			    got);
			if (st > 0)
				deadline = mono() + opts.timeout;
			if (st == 2)
				done++;
		}
	}
}

/* Half-close each; the relay must bring the echo server's FIN back. */
static void
cc_halfclose_all(struct cconn *cc, struct pollfd *pfd, char *got)
{
	double	 deadline;
	ssize_t	 n;
	int	 i, done = 0;

	for (i = 0; i < opts.count; i++)
		if (shutdown(cc[i].fd, SHUT_WR) == -1)
			die("FAIL: connection %d: shutdown: %s", i,
			    strerror(errno));
	deadline = mono() + opts.timeout;
	while (done < opts.count) {
		for (i = 0; i < opts.count; i++) {
			pfd[i].fd = cc[i].state == 1 ? cc[i].fd : -1;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		n = poll(pfd, (nfds_t)opts.count,
		    (int)((deadline - mono()) * 1000) + 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || mono() > deadline)
			die("FAIL: %d of %d connections saw EOF after the "
			    "half-close, no progress for %.1f s", done,
			    opts.count, opts.timeout);
		for (i = 0; i < opts.count; i++) {
			if (pfd[i].revents == 0)
				continue;
			n = recv(cc[i].fd, got, opts.size, 0);
			if (n == -1 && errno == EAGAIN)
				continue;
			if (n != 0)
				die("FAIL: connection %d: expected EOF, got "
				    "%s", i, n > 0 ? "data" : strerror(errno));
			cc[i].state = 2;
			close(cc[i].fd);
			done++;
		}
	}
}

static int
cmd_concurrent(void)
{
	struct sockaddr_storage	 dst, src[FWTEST_MAX_SOURCES];
	socklen_t		 dlen, slen[FWTEST_MAX_SOURCES];
	struct cconn		*cc;
	struct pollfd		*pfd;
	char			*msg, *got;
	double			 start = mono();
	int			 nsrc, r;

	if (opts.count <= 0)
		die("--count N is needed");
	if (opts.size < 16 || opts.size > 4096)
		die("--size must be 16..4096");
	if (addr_parse(opts.connect != NULL ? opts.connect : "", 0, &dst,
	    &dlen) == -1)
		die("--connect ADDR:PORT is needed");
	nsrc = sources_parse(src, slen);
	raise_nofile();
	cc = calloc((size_t)opts.count, sizeof(*cc));
	pfd = calloc((size_t)opts.count, sizeof(*pfd));
	msg = malloc(opts.size);
	got = malloc(opts.size);
	if (cc == NULL || pfd == NULL || msg == NULL || got == NULL)
		die("out of memory");
	cc_open_all(cc, pfd, &dst, dlen, src, slen, nsrc);
	for (r = 0; r < opts.rounds; r++)
		cc_echo_round(cc, pfd, r, msg, got);
	if (opts.ready_file != NULL && write_ready(opts.ready_file,
	    opts.count) == -1)
		die("%s: %s", opts.ready_file, strerror(errno));
	while (opts.stop_file != NULL && access(opts.stop_file, F_OK) == -1)
		usleep(20000);
	cc_halfclose_all(cc, pfd, got);
	printf("concurrent: connections=%d sources=%d rounds=%d size=%zu "
	    "all_open_at_once=yes echo=ok eof=ok seconds=%.3f\n", opts.count,
	    nsrc, opts.rounds, opts.size, mono() - start);
	free(cc);
	free(pfd);
	free(msg);
	free(got);
	return (0);
}

/*
 * A target that never answers: a listener with backlog 0 whose accept
 * queue is filled and never drained. Linux drops further SYNs when the
 * accept queue is full (tcp_conn_request), so a connect() to it times out
 * exactly like one to a host behind a dropping firewall, on loopback and
 * without privileges. A probe connect checks that it really is silent.
 */
static int
cmd_blackhole(void)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 a[INET6_ADDRSTRLEN + 16];
	int			 ls, fill[8], nfill = 0, probe, e = 0, r;

	ls = listen_on(opts.listen, 0, &ss);
	len = ss_len(&ss);
	for (;;) {
		if (nfill == (int)(sizeof(fill) / sizeof(fill[0])))
			die("the accept queue never filled up");
		if ((probe = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
			die("socket: %s", strerror(errno));
		(void)set_nonblock(probe);
		if (connect(probe, (struct sockaddr *)&ss, len) == -1 &&
		    errno != EINPROGRESS)
			die("connect: %s", strerror(errno));
		r = wait_io(probe, POLLOUT, mono() + 0.3);
		if (r == 0)
			break;		/* the SYN was dropped */
		len = sizeof(e);
		(void)getsockopt(probe, SOL_SOCKET, SO_ERROR, &e, &len);
		len = ss_len(&ss);
		if (e != 0)
			die("filler connect: %s", strerror(e));
		fill[nfill++] = probe;
	}
	close(probe);
	if (write_ready(opts.ready_file, ss_port(&ss)) == -1)
		die("%s: %s", opts.ready_file, strerror(errno));
	printf("blackhole: %s drops SYNs (accept queue full with %d "
	    "connections)\n", addr_fmt(&ss, a, sizeof(a)), nfill);
	/* Never accept: ls and the fillers stay open until we are killed. */
	for (;;)
		(void)poll(NULL, 0, ls < 0 ? 0 : 1000);
}

/* Ports the kernel hands out now; all held until printed, so distinct. */
static int
cmd_freeport(const char *addr)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			*fds, i, n = opts.count > 0 ? opts.count : 1;

	if (addr_parse(addr, 1, &ss, &len) == -1)
		die("bad address \"%s\"", addr);
	if ((fds = calloc((size_t)n, sizeof(*fds))) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		if ((fds[i] = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
			die("socket: %s", strerror(errno));
		if (bind(fds[i], (struct sockaddr *)&ss, len) == -1)
			die("bind %s: %s", addr, strerror(errno));
		len = sizeof(ss);
		if (getsockname(fds[i], (struct sockaddr *)&ss, &len) == -1)
			die("getsockname: %s", strerror(errno));
		printf("%d\n", ss_port(&ss));
		addr_parse(addr, 1, &ss, &len);
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return (0);
}

/* One connection of the echo server: what it still has to write back. */
struct econn {
	int		 fd;
	size_t		 off, len;	/* pending bytes in buf[off..len) */
	int		 eof;
	unsigned char	 buf[16384];
};

static void
echo_close(int ep, struct econn *e)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, e->fd, NULL);
	close(e->fd);
	free(e);
}

/* Read, write back what the client does not take at once later; on EOF
 * (all written back) close. 0 when e is still open. */
static int
echo_io(int ep, struct econn *e)
{
	struct epoll_event	 ev;
	ssize_t			 n;

	for (;;) {
		while (e->off < e->len) {
			n = send(e->fd, e->buf + e->off, e->len - e->off,
			    MSG_NOSIGNAL);
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				break;
			if (n == -1) {
				echo_close(ep, e);
				return (-1);
			}
			e->off += (size_t)n;
		}
		if (e->off < e->len) {
			ev.events = EPOLLOUT;
			ev.data.ptr = e;
			epoll_ctl(ep, EPOLL_CTL_MOD, e->fd, &ev);
			return (0);
		}
		e->off = e->len = 0;
		if (e->eof) {
			echo_close(ep, e);
			return (-1);
		}
		n = recv(e->fd, e->buf, sizeof(e->buf), 0);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			if (n == 0) {
				e->eof = 1;
				continue;
			}
			echo_close(ep, e);
			return (-1);
		}
		e->len = (size_t)n;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = e;
	epoll_ctl(ep, EPOLL_CTL_MOD, e->fd, &ev);
	return (0);
}

/*
 * An echo server for any number of connections in one thread (epoll): every
 * byte goes back in order; a client's EOF is answered with a close once all
 * is written back. Runs until killed or --deadline.
 */
static int
cmd_echo(void)
{
	struct sockaddr_storage	 ss;
	struct epoll_event	 ev, evs[256];
	struct econn		*e;
	char			 a[INET6_ADDRSTRLEN + 16];
	int			 ls, ep, n, i, fd;

	raise_nofile();
	ls = listen_on(opts.listen, 65535, &ss);
	(void)set_nonblock(ls);
	if ((ep = epoll_create1(0)) == -1)
		die("epoll_create1: %s", strerror(errno));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
	if (write_ready(opts.ready_file, ss_port(&ss)) == -1)
		die("%s: %s", opts.ready_file, strerror(errno));
	printf("echo listening on %s\n", addr_fmt(&ss, a, sizeof(a)));
	for (;;) {
		if ((n = epoll_wait(ep, evs, 256, -1)) == -1) {
			if (errno == EINTR)
				continue;
			die("epoll_wait: %s", strerror(errno));
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr != NULL) {
				(void)echo_io(ep, evs[i].data.ptr);
				continue;
			}
			while ((fd = accept(ls, NULL, NULL)) != -1) {
				(void)set_nonblock(fd);
				if ((e = calloc(1, sizeof(*e))) == NULL)
					die("out of memory");
				e->fd = fd;
				ev.events = EPOLLIN;
				ev.data.ptr = e;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
					die("epoll_ctl: %s", strerror(errno));
			}
		}
	}
}

/* The byte at offset off of connection i's stream: order shows. */
static unsigned char
stream_byte(int i, uint64_t off)
{
	uint64_t	 x = (off >> 2) * 0x9e3779b97f4a7c15ULL ^
			    ((uint64_t)i << 40) ^ (off & 3);

	x ^= x >> 29;
	return ((unsigned char)(x ^ (x >> 8) ^ (x >> 16)));
}

/*
 * Every connection streams its own pattern to an echo server through the
 * relay and checks every byte that comes back at its offset, until
 * --stop-file exists (--ready-file: written once all are open and have
 * seen their first echo); then each half-closes, reads the rest and must
 * see EOF with everything it sent back. Counts, never stops at the first
 * failure: connections dropped (EOF, reset or error early), bytes missing
 * at the end, mismatched (lost, duplicated or reordered) bytes.
 */
static int
cmd_stream(void)
{
	struct sockaddr_storage	 dst, src[FWTEST_MAX_SOURCES];
	socklen_t		 dlen, slen[FWTEST_MAX_SOURCES];
	struct cconn		*cc;
	struct pollfd		*pfd;
	unsigned char		 out[4096], in[16384];
	uint64_t		 sent = 0, back = 0, bad = 0;
	double			 start = mono(), last;
	ssize_t			 n, k;
	int			 nsrc, i, stopping = 0, live, dropped = 0;
	int			 ready = 0, firsts = 0, missing = 0;

	if (opts.count <= 0)
		die("--count N is needed");
	if (addr_parse(opts.connect != NULL ? opts.connect : "", 0, &dst,
	    &dlen) == -1)
		die("--connect ADDR:PORT is needed");
	nsrc = sources_parse(src, slen);
	raise_nofile();
	cc = calloc((size_t)opts.count, sizeof(*cc));
	pfd = calloc((size_t)opts.count, sizeof(*pfd));
	if (cc == NULL || pfd == NULL)
		die("out of memory");
	cc_open_all(cc, pfd, &dst, dlen, src, slen, nsrc);
	live = opts.count;
	last = mono();
	while (live > 0) {
		if (!stopping && opts.stop_file != NULL &&
		    access(opts.stop_file, F_OK) == 0) {
			stopping = 1;
			for (i = 0; i < opts.count; i++)
				if (cc[i].state == 1)
					shutdown(cc[i].fd, SHUT_WR);
		}
		for (i = 0; i < opts.count; i++) {
			pfd[i].fd = cc[i].state == 1 ? cc[i].fd : -1;
			pfd[i].events = POLLIN | (!stopping &&
			    cc[i].off - cc[i].got < 65536 ? POLLOUT : 0);
			pfd[i].revents = 0;
		}
		n = poll(pfd, (nfds_t)opts.count, 100);
		if (n == -1 && errno == EINTR)
			continue;
		if (n > 0)
			last = mono();
		else if (mono() - last > opts.timeout) {
			fprintf(stderr, "fwtest stream: no progress for %.1f "
			    "s, %d connections left\n", opts.timeout, live);
			break;
		}
		for (i = 0; i < opts.count; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].revents & POLLOUT) {
				for (k = 0; k < (ssize_t)sizeof(out); k++)
					out[k] = stream_byte(i, cc[i].off +
					    (uint64_t)k);
				n = send(cc[i].fd, out, sizeof(out),
				    MSG_NOSIGNAL);
				if (n > 0) {
					cc[i].off += (size_t)n;
					sent += (uint64_t)n;
				}
			}
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = recv(cc[i].fd, in, sizeof(in), 0);
			if (n == -1 && errno == EAGAIN)
				continue;
			if (n <= 0) {
				if (n < 0 || !stopping)
					dropped++;
				else if (cc[i].got != cc[i].off)
					missing++;
				cc[i].state = 2;
				close(cc[i].fd);
				live--;
				continue;
			}
			for (k = 0; k < n; k++)
				if (in[k] != stream_byte(i, cc[i].got +
				    (uint64_t)k))
					bad++;
			if (cc[i].got == 0 && ++firsts == opts.count)
				ready = 1;
			cc[i].got += (size_t)n;
			back += (uint64_t)n;
		}
		if (ready == 1 && opts.ready_file != NULL) {
			if (write_ready(opts.ready_file, opts.count) == -1)
				die("%s: %s", opts.ready_file,
				    strerror(errno));
			ready = 2;
		}
	}
	printf("stream: connections=%d sources=%d sent=%llu echoed=%llu "
	    "dropped=%d short=%d mismatched=%llu unfinished=%d "
	    "seconds=%.3f\n", opts.count, nsrc, (unsigned long long)sent,
	    (unsigned long long)back, dropped, missing,
	    (unsigned long long)bad, live, mono() - start);
	free(cc);
	free(pfd);
	return (dropped || missing || bad || live ? 1 : 0);
}

/* One client of burst: where it is in connect, echo, half-close, EOF. */
struct bconn {
	int	 fd;
	int	 state;		/* 0 free, 1 connecting, 2 echo, 3 await EOF */
	int	 id;
	size_t	 off, got;
};

/* Connect one more burst client, from the sources in turn. */
static void
burst_start(struct bconn *b, int id, const struct sockaddr_storage *dst,
    socklen_t dlen, const struct sockaddr_storage *src, const socklen_t *slen,
    int nsrc)
{
	int	 on = 1;

	memset(b, 0, sizeof(*b));
	b->id = id;
	if ((b->fd = socket(dst->ss_family, SOCK_STREAM, 0)) == -1)
		die("socket: %s", strerror(errno));
	(void)set_nonblock(b->fd);
	if (nsrc > 0) {
		(void)setsockopt(b->fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on));
		if (bind(b->fd, (const struct sockaddr *)&src[id % nsrc],
		    slen[id % nsrc]) == -1)
			die("bind: %s", strerror(errno));
	}
	if (connect(b->fd, (const struct sockaddr *)dst, dlen) == -1 &&
	    errno != EINPROGRESS)
		die("connect: %s", strerror(errno));
	b->state = 1;
}

/*
 * --count clients, --parallel of them at a time (all at once by default),
 * each: connect, send its own --size message, read it back, half-close,
 * read EOF. Prints how each ended: echoed (all of the above), refused,
 * reset or eof before its echo, mismatch; exit 1 unless all echoed, or with
 * --expect-fail unless none did. The wait for a connect is the kernel's.
 */
static int
cmd_burst(void)
{
	struct sockaddr_storage	 dst, src[FWTEST_MAX_SOURCES];
	socklen_t		 dlen, slen[FWTEST_MAX_SOURCES], elen;
	struct bconn		*b;
	struct pollfd		*pfd;
	char			 msg[4096], got[4096];
	double			 start = mono(), last = mono();
	ssize_t			 n;
	int			 nsrc, par, i, next = 0, active = 0, e;
	int			 echoed = 0, refused = 0, reset = 0, eof = 0;
	int			 other = 0, mismatch = 0, end;

	if (opts.count <= 0)
		die("--count N is needed");
	if (opts.size < 16 || opts.size > sizeof(msg))
		die("--size must be 16..4096");
	if (addr_parse(opts.connect != NULL ? opts.connect : "", 0, &dst,
	    &dlen) == -1)
		die("--connect ADDR:PORT is needed");
	nsrc = sources_parse(src, slen);
	par = opts.parallel > 0 && opts.parallel < opts.count ? opts.parallel :
	    opts.count;
	raise_nofile();
	b = calloc((size_t)par, sizeof(*b));
	pfd = calloc((size_t)par, sizeof(*pfd));
	if (b == NULL || pfd == NULL)
		die("out of memory");
	while (next < opts.count || active > 0) {
		for (i = 0; i < par && next < opts.count; i++)
			if (b[i].state == 0) {
				burst_start(&b[i], next++, &dst, dlen, src,
				    slen, nsrc);
				active++;
			}
		for (i = 0; i < par; i++) {
			pfd[i].fd = b[i].state != 0 ? b[i].fd : -1;
			pfd[i].events = b[i].state == 1 ? POLLOUT :
			    b[i].state == 2 && b[i].off < opts.size ?
			    POLLIN | POLLOUT : POLLIN;
			pfd[i].revents = 0;
		}
		n = poll(pfd, (nfds_t)par, 100);
		if (n == -1 && errno == EINTR)
			continue;
		if (n > 0)
			last = mono();
		else if (mono() - last > opts.timeout)
			die("FAIL: no progress for %.1f s: %d active, %d "
			    "echoed", opts.timeout, active, echoed);
		for (i = 0; i < par; i++) {
			if (pfd[i].revents == 0)
				continue;
			end = 0;
			memset(msg, '.', opts.size);
			snprintf(msg, opts.size, "burst %06d ", b[i].id);
			msg[strlen(msg)] = '.';
			if (b[i].state == 1) {
				elen = sizeof(e);
				if (getsockopt(b[i].fd, SOL_SOCKET, SO_ERROR,
				    &e, &elen) == -1)
					e = errno;
				if (e == ECONNREFUSED) {
					refused++;
					end = 1;
				} else if (e == ECONNRESET) {
					/* Connected, then reset before we looked. */
					reset++;
					end = 1;
				} else if (e != 0) {
					other++;
					end = 1;
				} else
					b[i].state = 2;
			} else if (b[i].state == 2 &&
			    (pfd[i].revents & POLLOUT) && b[i].off < opts.size) {
				n = send(b[i].fd, msg + b[i].off,
				    opts.size - b[i].off, MSG_NOSIGNAL);
				if (n > 0)
					b[i].off += (size_t)n;
				else if (n == -1 && errno != EAGAIN) {
					/* The write took the reset's error. */
					if (errno == ECONNRESET ||
					    errno == EPIPE)
						reset++;
					else
						other++;
					end = 1;
				}
			}
			if (!end && b[i].state >= 2 && (pfd[i].revents &
			    (POLLIN | POLLHUP | POLLERR))) {
				n = recv(b[i].fd, got, sizeof(got), 0);
				if (n == -1 && errno == EAGAIN)
					continue;
				if (n == -1) {
					if (errno == ECONNRESET)
						reset++;
					else
						other++;
					end = 1;
				} else if (n == 0) {
					if (b[i].state == 3)
						echoed++;
					else
						eof++;
					end = 1;
				} else if (b[i].state == 3 ||
				    b[i].got + (size_t)n > opts.size ||
				    memcmp(got, msg + b[i].got, (size_t)n)) {
					mismatch++;
					end = 1;
				} else if ((b[i].got += (size_t)n) ==
				    opts.size) {
					shutdown(b[i].fd, SHUT_WR);
					b[i].state = 3;
				}
			}
			if (end) {
				close(b[i].fd);
				b[i].state = 0;
				active--;
			}
		}
	}
	printf("burst: clients=%d parallel=%d sources=%d echoed=%d "
	    "refused=%d reset=%d eof=%d mismatch=%d other=%d seconds=%.3f\n",
	    opts.count, par, nsrc, echoed, refused, reset, eof, mismatch,
	    other, mono() - start);
	free(b);
	free(pfd);
	if (opts.expect_refused)
		return (echoed == 0 && mismatch == 0 ? 0 : 1);
	return (echoed == opts.count ? 0 : 1);
}

/* Seed PDUs of hostile, read from the files of --seeds DIR,DIR,... */
struct seedset {
	unsigned char	*buf[256];
	size_t		 len[256];
	int		 n;
};

static void
seeds_load(struct seedset *ss, const char *dirs)
{
	char		*list, *tok, *save, path[PATH_MAX];
	unsigned char	 tmp[65536];
	struct dirent	*de;
	DIR		*d;
	FILE		*fp;
	size_t		 n;

	memset(ss, 0, sizeof(*ss));
	if (dirs == NULL || (list = strdup(dirs)) == NULL)
		die("--seeds DIR,... is needed");
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((d = opendir(tok)) == NULL)
			die("%s: %s", tok, strerror(errno));
		while ((de = readdir(d)) != NULL && ss->n < 256) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", tok, de->d_name);
			if ((fp = fopen(path, "rb")) == NULL)
				continue;
			n = fread(tmp, 1, sizeof(tmp), fp);
			fclose(fp);
			if (n == 0 || (ss->buf[ss->n] = malloc(n)) == NULL)
				continue;
			memcpy(ss->buf[ss->n], tmp, n);
			ss->len[ss->n++] = n;
		}
		closedir(d);
	}
	free(list);
	if (ss->n == 0)
		die("no seed files in %s", dirs);
}

static void
seeds_free(struct seedset *ss)
{
	int	 i;

	for (i = 0; i < ss->n; i++)
		free(ss->buf[i]);
	ss->n = 0;
}

/*
 * One mutated PDU stream into out (at most cap bytes): a seed, perhaps
 * without its first byte (the fuzz corpora's control byte), then a few
 * byte flips, random bytes, a cut or a repeated piece. Returns its length.
 */
static size_t
seeds_mutate(const struct seedset *ss, unsigned char *out, size_t cap)
{
	size_t	 len, i, a, b;
	int	 k, m, j;

	j = (int)(lrand48() % ss->n);
	len = ss->len[j] < cap ? ss->len[j] : cap;
	memcpy(out, ss->buf[j], len);
	if (len > 1 && lrand48() % 2) {
		memmove(out, out + 1, len - 1);
		len--;
	}
	for (k = 1 + (int)(lrand48() % 8); k > 0 && len > 0; k--) {
		i = (size_t)lrand48() % len;
		m = (int)(lrand48() % 6);
		if (m == 0)
			out[i] ^= (unsigned char)(1 << (lrand48() % 8));
		else if (m == 1)
			out[i] = (unsigned char)lrand48();
		else if (m == 2)
			out[i] = lrand48() % 2 ? 0x00 : 0xff;
		else if (m == 3)
			len = i + 1;
		else if (m == 4 && len * 2 <= cap) {
			a = (size_t)lrand48() % len;
			b = a + (size_t)lrand48() % (len - a);
			memcpy(out + len, out + a, b - a + 1);
			len += b - a + 1;
		} else if (len > 4)
			out[i] = (unsigned char)(out[i] + 1);
	}
	return (len);
}

/* Send buf in one to three pieces; read what comes back for a moment. */
static void
hostile_talk(int fd, const unsigned char *buf, size_t len)
{
	struct timeval	 tv = { 0, 50000 };
	struct linger	 lg = { 1, 0 };
	unsigned char	 in[16384];
	size_t		 off = 0, piece;
	int		 i;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (off < len) {
		piece = 1 + (size_t)lrand48() % (len - off);
		if (send(fd, buf + off, piece, MSG_NOSIGNAL) <= 0)
			break;
		off += piece;
	}
	for (i = 0; i < 4; i++)
		if (recv(fd, in, sizeof(in), 0) <= 0)
			break;
	if (lrand48() % 4 == 0)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/*
 * A malicious peer. With --connect: --count connections, --parallel
 * processes, each sending a mutated PDU stream of --seeds; exit 1 if a
 * connect failed (the daemon stopped answering). With --listen: a target
 * that answers every connection with a mutated stream, then goes.
 */
static int
cmd_hostile(void)
{
	struct sockaddr_storage	 ss;
	struct seedset		 seeds;
	unsigned char		 buf[131072];
	socklen_t		 len;
	pid_t			*pids;
	int			 fd, ls, i, w, per, st, err, bad = 0;

	seeds_load(&seeds, opts.seeds);
	if (opts.listen != NULL) {
		srand48((long)opts.seed ^ (long)getpid());
		ls = listen_on(opts.listen, 4096, &ss);
		if (write_ready(opts.ready_file, ss_port(&ss)) == -1)
			die("%s: %s", opts.ready_file, strerror(errno));
		for (;;) {
			if ((fd = accept(ls, NULL, NULL)) == -1)
				continue;
			hostile_talk(fd, buf, seeds_mutate(&seeds, buf,
			    sizeof(buf) / 2));
		}
	}
	if (opts.count <= 0 || addr_parse(opts.connect != NULL ?
	    opts.connect : "", 0, &ss, &len) == -1)
		die("--connect ADDR:PORT and --count N are needed");
	w = opts.parallel > 0 ? opts.parallel : 1;
	per = (opts.count + w - 1) / w;
	if ((pids = calloc((size_t)w, sizeof(*pids))) == NULL)
		die("out of memory");
	for (i = 0; i < w; i++) {
		if ((pids[i] = fork()) == -1)
			die("fork: %s", strerror(errno));
		if (pids[i] != 0)
			continue;
		srand48((long)opts.seed * 1000003L + i);
		for (st = 0; st < per; st++) {
			if ((fd = connect_to(opts.connect, NULL, 0, &err)) ==
			    -1) {
				if (err == ECONNREFUSED || err == ETIMEDOUT)
					_exit(1);
				continue;
			}
			hostile_talk(fd, buf, seeds_mutate(&seeds, buf,
			    sizeof(buf) / 2));
		}
		_exit(0);
	}
	for (i = 0; i < w; i++)
		if (waitpid(pids[i], &st, 0) == -1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			bad++;
	free(pids);
	printf("hostile: connections=%d processes=%d seeds=%d failed=%d\n",
	    per * w, w, seeds.n, bad);
	seeds_free(&seeds);
	return (bad ? 1 : 0);
}

int
main(int argc, char *argv[])
{
	const char	*cmd, *pos = NULL;
	int		 i, nsteps = 0;
	char		**steps;
	struct sigaction sa;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)
		usage();
	cmd = cmdname = argv[1];
	if ((steps = calloc((size_t)argc, sizeof(*steps))) == NULL)
		die("out of memory");
	for (i = 2; i < argc; i++) {
		const char	*o = argv[i], *v = i + 1 < argc ? argv[i + 1] :
				    NULL;

		if (strncmp(o, "--", 2) != 0) {
			if (strcmp(cmd, "freeport") == 0 && pos == NULL)
				pos = o;
			else
				steps[nsteps++] = argv[i];
			continue;
		}
		if (strcmp(o, "--expect-refused") == 0) {
			opts.expect_refused = 1;
			continue;
		}
		if (strcmp(o, "--once") == 0) {
			opts.count = 1;
			continue;
		}
		if (v == NULL)
			die("%s needs a value", o);
		i++;
		if (strcmp(o, "--listen") == 0)
			opts.listen = v;
		else if (strcmp(o, "--connect") == 0)
			opts.connect = v;
		else if (strcmp(o, "--source") == 0)
			opts.source = v;
		else if (strcmp(o, "--sources") == 0)
			opts.sources = v;
		else if (strcmp(o, "--seeds") == 0)
			opts.seeds = v;
		else if (strcmp(o, "--ready-file") == 0)
			opts.ready_file = v;
		else if (strcmp(o, "--mode") == 0)
			opts.mode = v;
		else if (strcmp(o, "--stop-file") == 0)
			opts.stop_file = v;
		else if (strcmp(o, "--timeout") == 0)
			opts.timeout = parse_time(v);
		else if (strcmp(o, "--deadline") == 0)
			opts.deadline = parse_time(v);
		else if (strcmp(o, "--interval") == 0)
			opts.interval = parse_time(v);
		else if (strcmp(o, "--for") == 0)
			opts.hold_for = parse_time(v);
		else if (strcmp(o, "--seed") == 0)
			opts.seed = parse_size(v);
		else if (strcmp(o, "--bytes") == 0)
			opts.bytes = parse_size(v);
		else if (strcmp(o, "--count") == 0 || strcmp(o, "-n") == 0)
			opts.count = (int)parse_size(v);
		else if (strcmp(o, "--parallel") == 0)
			opts.parallel = (int)parse_size(v);
		else if (strcmp(o, "--rounds") == 0)
			opts.rounds = (int)parse_size(v);
		else if (strcmp(o, "--size") == 0)
			opts.size = (size_t)parse_size(v);
		else
			die("unknown option %s", o);
	}
	if (opts.mode != NULL && nsteps > 0)
		die("give either --mode or steps, not both");
	if (nsteps > 0)
		steps_parse(nsteps, steps);
	free(steps);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned int)(opts.deadline + 0.999));

	if (strcmp(cmd, "server") == 0)
		return (cmd_server());
	if (strcmp(cmd, "client") == 0)
		return (cmd_client());
	if (strcmp(cmd, "concurrent") == 0)
		return (cmd_concurrent());
	if (strcmp(cmd, "blackhole") == 0)
		return (cmd_blackhole());
	if (strcmp(cmd, "echo") == 0)
		return (cmd_echo());
	if (strcmp(cmd, "stream") == 0)
		return (cmd_stream());
	if (strcmp(cmd, "burst") == 0)
		return (cmd_burst());
	if (strcmp(cmd, "hostile") == 0)
		return (cmd_hostile());
	if (strcmp(cmd, "freeport") == 0)
		return (cmd_freeport(pos != NULL ? pos : "127.0.0.1"));
	usage();
}
