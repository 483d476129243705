/*
 * Unit tests of the data path (conn.c, relay.c, inspect.c) in one process,
 * libevent regress style: the test owns the event loop and both peers (a
 * client socket and the target's listening socket on 127.0.0.1), drives
 * the loop itself and looks at what each peer received and at the relay's
 * own state between turns. Every wait is a bounded poll of the loop.
 *
 * Covered: bytes both ways and half-close forwarded; pause at the
 * buffer_size watermark and resume below half of it; an inspector holding
 * a CR until it is whole and releasing it unchanged; an inspector's own
 * answer (a COTP DR for a refused TSAP) written in full before the FIN;
 * the one close event per connection; the deferred free.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "fwrelay.h"
#include "check_main.h"

/* Polls of the loop before a wait gives up (1 ms apart: about 10 s). */
#define POLL_TURNS	10000

static struct fwrelay	 sc;
static char		 evpath[] = "/tmp/check_relay.XXXXXX";
static int		 tlisten = -1;	/* the target's listening socket */
static int		 evfd = -1;	/* the event log, read back */

/*
 * Failure injection: the program is linked with --wrap=event_new, so every
 * event_new() of the daemon's code comes here; with fail_timers set, a
 * timer (no descriptor, no events) cannot be had.
 */
struct event	*__real_event_new(struct event_base *, evutil_socket_t, short,
		    event_callback_fn, void *);
struct event	*__wrap_event_new(struct event_base *, evutil_socket_t, short,
		    event_callback_fn, void *);
static int	 fail_timers;

struct event *
__wrap_event_new(struct event_base *b, evutil_socket_t fd, short what,
    event_callback_fn cb, void *arg)
{
	if (fail_timers && fd == -1 && what == 0)
		return (NULL);
	return (__real_event_new(b, fd, what, cb, arg));
}

/* A free port on 127.0.0.1 (bound and released). */
static int
free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 s, port;

	s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(s);
	return (port);
}

static void
nonblock(int s)
{
	ck_assert_int_ne(fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK),
	    -1);
}

/* A listening socket on 127.0.0.1; its port in *port. */
static int
listen_any(int *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 s, on = 1;

	s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(s, 16), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	nonblock(s);
	return (s);
}

/*
 * Start one relay 127.0.0.1:<free> -> the target listener, with extra
 * relay keys. Returns the relay's port.
 */
static int
relay_up(const char *extra)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	char			 text[2048];
	int			 fd, lport, tport;

	fd = mkstemp(evpath);
	ck_assert_int_ge(fd, 0);
	close(fd);
	tlisten = listen_any(&tport);
	lport = free_port();
	snprintf(text, sizeof(text),
	    "event_log = \"%s\";\n"
	    "log_level = \"debug\";\n"
	    "relays = ( {\n"
	    "  name = \"t\";\n"
	    "  listen = \"127.0.0.1:%d\";\n"
	    "  target = \"127.0.0.1:%d\";\n"
	    "  %s\n"
	    "} );\n", evpath, lport, tport, extra);
	conf = config_load_string(text, "check_relay.conf", &errs);
	if (conf == NULL)
		ck_abort_msg("config: %s", errs.n > 0 ? errs.msgs[0] : "?");
	ck_assert_int_eq(eventlog_open(conf->event_log, conf->log_level), 0);
	/* Read through our own descriptor: nothing is left if a test fails. */
	evfd = open(evpath, O_RDONLY);
	ck_assert_int_ge(evfd, 0);
	unlink(evpath);
	memset(&sc, 0, sizeof(sc));
	sc.sc_base = event_base_new();
	ck_assert_ptr_nonnull(sc.sc_base);
	relay_init(&sc);
	sc.sc_conf = conf;
	if (relay_apply(&sc, conf, &errs, NULL) == -1)
		ck_abort_msg("apply: %s", errs.n > 0 ? errs.msgs[0] : "?");
	config_errors_clear(&errs);
	return (lport);
}

static void
relay_down(void)
{
	relay_close_all(&sc, "test");
	event_base_loop(sc.sc_base, EVLOOP_NONBLOCK);
	while (!TAILQ_EMPTY(&sc.sc_relays))
		relay_free(TAILQ_FIRST(&sc.sc_relays));
	config_free(sc.sc_conf);
	event_base_free(sc.sc_base);
	eventlog_close();
	close(tlisten);
	close(evfd);
}

static struct relay *
the_relay(void)
{
	return (TAILQ_FIRST(&sc.sc_relays));
}

static struct conn *
the_conn(void)
{
	return (TAILQ_FIRST(&the_relay()->rl_conns));
}

/* One turn of the loop without blocking, then a short pause. */
static void
turn(void)
{
	event_base_loop(sc.sc_base, EVLOOP_NONBLOCK);
	usleep(1000);
}

static int
client_connect(int port)
{
	struct sockaddr_in	 sin;
	int			 s;

	s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	nonblock(s);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		ck_assert_int_eq(errno, EINPROGRESS);
	return (s);
}

/* Turn the loop until the target listener has a connection. */
static int
target_accept(void)
{
	int	 i, s;

	for (i = 0; i < POLL_TURNS; i++) {
		if ((s = accept(tlisten, NULL, NULL)) >= 0) {
			nonblock(s);
			return (s);
		}
		turn();
	}
	ck_abort_msg("the target saw no connection");
	return (-1);
}

/* Did the target get a connection within a few turns? */
static int
target_accepted_any(int turns)
{
	int	 i, s;

	for (i = 0; i < turns; i++) {
		if ((s = accept(tlisten, NULL, NULL)) >= 0) {
			close(s);
			return (1);
		}
		turn();
	}
	return (0);
}

/*
 * Read from s until want bytes came, or until EOF with eof set. Returns
 * the bytes read; *eofp says whether EOF was seen.
 */
static size_t
read_until(int s, uint8_t *buf, size_t want, int eof, int *eofp)
{
	size_t	 got = 0;
	ssize_t	 n;
	int	 i;

	*eofp = 0;
	for (i = 0; i < POLL_TURNS; i++) {
		while (got < want &&
		    (n = recv(s, buf + got, want - got, 0)) > 0)
			got += n;
		if (got < want && n == 0) {
			*eofp = 1;
			return (got);
		}
		if (got == want && eof) {
			uint8_t	 extra;

			n = recv(s, &extra, 1, 0);
			if (n == 0) {
				*eofp = 1;
				return (got);
			}
			if (n == 1)
				return (got + 1);	/* more than expected */
		} else if (got == want)
			return (got);
		turn();
	}
	return (got);
}

/* Turn the loop until the relay has no connection left. */
static int
relay_idle(void)
{
	int	 i;

	for (i = 0; i < POLL_TURNS; i++) {
		if (the_relay()->rl_nconns == 0)
			return (1);
		turn();
	}
	return (0);
}

/* How many lines of the event log have event NAME (and text MORE). */
static int
events(const char *name, const char *more)
{
	char	 line[4096], pat[128];
	FILE	*fp;
	int	 n = 0, fd;

	snprintf(pat, sizeof(pat), "\"event\":\"%s\"", name);
	if ((fd = dup(evfd)) == -1 || lseek(fd, 0, SEEK_SET) == -1 ||
	    (fp = fdopen(fd, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strstr(line, pat) == NULL)
			continue;
		if (more == NULL || strstr(line, more) != NULL)
			n++;
	}
	fclose(fp);
	return (n);
}

START_TEST(test_halfclose)
{
	uint8_t	 buf[64];
	int	 cfd, tfd, eof, lport;

	lport = relay_up("");
	cfd = client_connect(lport);
	tfd = target_accept();

	/* Client says hello and shuts its sending side. */
	ck_assert_int_eq(send(cfd, "hello", 5, 0), 5);
	ck_assert_int_eq(shutdown(cfd, SHUT_WR), 0);
	ck_assert_uint_eq(read_until(tfd, buf, 5, 1, &eof), 5);
	ck_assert(eof);
	ck_assert_mem_eq(buf, "hello", 5);

	/* Half-closed, not closed: the other direction still flows. */
	ck_assert_uint_eq(the_relay()->rl_nconns, 1);
	ck_assert(the_conn()->c_client.cs_eof);
	ck_assert_int_eq(the_conn()->c_target.cs_state, SIDE_HALF);
	ck_assert_int_eq(send(tfd, "world!", 6, 0), 6);
	ck_assert_uint_eq(read_until(cfd, buf, 6, 0, &eof), 6);
	ck_assert_mem_eq(buf, "world!", 6);
	ck_assert(!eof);

	/* The target's FIN ends it: one close, bytes each way. */
	ck_assert_int_eq(shutdown(tfd, SHUT_WR), 0);
	ck_assert_uint_eq(read_until(cfd, buf, 0, 1, &eof), 0);
	ck_assert(eof);
	ck_assert(relay_idle());
	ck_assert_int_eq(events("accept", NULL), 1);
	ck_assert_int_eq(events("close", "\"bytes_from_client\":5"), 1);
	ck_assert_int_eq(events("close", "\"bytes_from_target\":6"), 1);
	close(cfd);
	close(tfd);
	relay_down();
}
END_TEST

START_TEST(test_watermarks)
{
	static uint8_t	 chunk[16384], sink[65536];
	struct conn	*c;
	size_t		 sent = 0, got = 0, maxq = 0, q;
	uint64_t	 sum_in = 0, sum_out = 0;
	ssize_t		 n;
	int		 cfd, tfd, lport, paused = 0, i;
	size_t		 k;

	for (k = 0; k < sizeof(chunk); k++)
		chunk[k] = (uint8_t)(k * 7 + 3);
	lport = relay_up("buffer_size = 4096;");
	cfd = client_connect(lport);
	tfd = target_accept();

	/* The target reads nothing: the relay must stop reading the client. */
	for (i = 0; i < POLL_TURNS && !paused; i++) {
		n = send(cfd, chunk, sizeof(chunk), 0);
		if (n > 0) {
			for (k = 0; k < (size_t)n; k++)
				sum_in += chunk[k];
			sent += n;
		}
		turn();
		if ((c = the_conn()) != NULL) {
			q = evbuffer_get_length(c->c_target.cs_out);
			if (q > maxq)
				maxq = q;
			paused = c->c_client.cs_paused;
		}
	}
	ck_assert_msg(paused, "reading the client never paused");
	/* The queue towards the target stays at the watermark. */
	ck_assert_uint_le(maxq, 4096);

	/* The target drains: reading resumes and every byte arrives. */
	ck_assert_int_eq(shutdown(cfd, SHUT_WR), 0);
	for (i = 0; i < POLL_TURNS && got < sent; i++) {
		while ((n = recv(tfd, sink, sizeof(sink), 0)) > 0) {
			for (k = 0; k < (size_t)n; k++)
				sum_out += sink[k];
			got += n;
		}
		turn();
	}
	ck_assert_uint_eq(got, sent);
	ck_assert_uint_eq(sum_out, sum_in);
	ck_assert_int_eq(the_conn()->c_client.cs_paused, 0);
	close(cfd);
	close(tfd);
	relay_down();
}
END_TEST

/* A COTP CR with calling TSAP MTA-A and called TSAP "called". */
static size_t
make_cr(uint8_t *p, const char *called)
{
	size_t	 cl = strlen(called), len = 4 + 7 + 3 + 7 + 2 + cl;

	p[0] = 3;
	p[1] = 0;
	p[2] = len >> 8;
	p[3] = len & 0xff;
	p[4] = len - 5;			/* LI */
	memcpy(p + 5, "\xe0\x00\x00\x00\x01\x00", 6);
	memcpy(p + 11, "\xc0\x01\x0b", 3);
	memcpy(p + 14, "\xc1\x05MTA-A", 7);
	p[21] = 0xc2;
	p[22] = cl;
	memcpy(p + 23, called, cl);
	return (len);
}

START_TEST(test_inspector_hold_release)
{
	uint8_t	 cr[64], buf[64];
	size_t	 len;
	int	 cfd, tfd, eof, lport, i;

	lport = relay_up("protocol = \"rfc1006\"; "
	    "tsap_allow = [ \"MTA-B\" ];");
	len = make_cr(cr, "MTA-B");
	cfd = client_connect(lport);

	/*
	 * The CR trickles in: nothing passes until it is whole, and the
	 * target is not even connected to before (tsap_allow).
	 */
	ck_assert_int_eq(send(cfd, cr, 9, 0), 9);
	for (i = 0; i < 50; i++)
		turn();
	ck_assert(!target_accepted_any(1));
	ck_assert_int_eq(send(cfd, cr + 9, len - 9, 0), (ssize_t)(len - 9));
	tfd = target_accept();
	ck_assert_uint_eq(read_until(tfd, buf, len, 0, &eof), len);
	ck_assert_mem_eq(buf, cr, len);
	close(cfd);
	close(tfd);
	ck_assert(relay_idle());
	relay_down();
}
END_TEST

START_TEST(test_inspector_answer)
{
	uint8_t	 cr[64], buf[64];
	size_t	 len, got;
	int	 cfd, eof, lport;

	lport = relay_up("protocol = \"rfc1006\"; "
	    "tsap_allow = [ \"MTA-B\" ];");
	len = make_cr(cr, "EVIL");
	cfd = client_connect(lport);
	ck_assert_int_eq(send(cfd, cr, len, 0), (ssize_t)len);

	/* A whole DR (TPKT, LI 6, code 80, reason 03), then the FIN. */
	got = read_until(cfd, buf, 11, 1, &eof);
	ck_assert_uint_eq(got, 11);
	ck_assert(eof);
	ck_assert_int_eq(buf[0], 3);
	ck_assert_int_eq((buf[2] << 8) | buf[3], 11);
	ck_assert_int_eq(buf[5], 0x80);
	ck_assert_int_eq(buf[10], 3);
	ck_assert(relay_idle());
	/* Flushed, then closed once, by the relay. */
	ck_assert_int_eq(events("close", "\"closed_by\":\"relay\""), 1);
	ck_assert_int_eq(events("close", NULL), 1);
	close(cfd);
	/* Refused by the TSAP check: the target never saw a connection. */
	ck_assert(!target_accepted_any(20));
	relay_down();
}
END_TEST

START_TEST(test_deferred_free)
{
	struct conn	*c;
	uint64_t	 id;
	int		 cfd, tfd, lport;

	lport = relay_up("");
	cfd = client_connect(lport);
	tfd = target_accept();
	c = the_conn();
	ck_assert_ptr_nonnull(c);
	id = c->c_id;
	ck_assert_ptr_eq(conn_find(&sc, id), c);

	/*
	 * Closed in the middle of a callback chain: the conn leaves the
	 * relay at once, a second close is harmless, and the memory stays
	 * valid until the loop runs again (the free is deferred).
	 */
	conn_close(c, "relay", "test");
	ck_assert(c->c_flags & CONN_DEAD);
	conn_close(c, "relay", "again");
	ck_assert_ptr_null(conn_find(&sc, id));
	ck_assert_uint_eq(the_relay()->rl_nconns, 0);
	ck_assert_int_eq(events("close", NULL), 1);
	ck_assert_int_eq(events("close", "\"reason\":\"again\""), 0);
	event_base_loop(sc.sc_base, EVLOOP_NONBLOCK);
	close(cfd);
	close(tfd);
	relay_down();
}
END_TEST

/*
 * An inspector or a fault that closes the connection from inside its own
 * callback returns into code that still holds its state: the inspector's
 * and the faults' per-connection state, and the relay_conf, must live
 * until the deferred free, not go with conn_close(). The decoder fed on
 * the dead connection (as the rest of a read would be) does nothing; the
 * deferred free then releases everything (LeakSanitizer on the ASan build).
 */
START_TEST(test_close_keeps_state)
{
	struct conn	*c;
	uint8_t		 cr[64];
	size_t		 len;
	int		 cfd, tfd, lport;

	lport = relay_up("protocol = \"rfc1006\"; "
	    "faults = ( { type = \"latency\"; latency_ms = 50; "
	    "direction = \"upstream\"; } );");
	cfd = client_connect(lport);
	tfd = target_accept();
	c = the_conn();
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(c->c_insp_state);
	ck_assert_ptr_nonnull(c->c_faults);

	conn_close(c, "relay", "test");
	ck_assert(c->c_flags & CONN_DEAD);
	ck_assert_ptr_nonnull(c->c_insp_state);
	ck_assert_ptr_nonnull(c->c_faults);
	ck_assert_ptr_nonnull(c->c_conf);
	len = make_cr(cr, "MTA-B");
	ck_assert_int_eq(c->c_insp->input(&c->c_client, cr, len), 0);
	/* Not TPKT: an anomaly, but no event after the close. */
	ck_assert_int_eq(c->c_insp->input(&c->c_client,
	    (const uint8_t *)"\x05\x00\x00\x08junk", 8), 0);
	ck_assert_int_eq(events("close", NULL), 1);
	ck_assert_int_eq(events("inspect_anomaly", NULL), 0);
	event_base_loop(sc.sc_base, EVLOOP_NONBLOCK);
	close(cfd);
	close(tfd);
	relay_down();
}
END_TEST

/*
 * A reload that fails in relay_apply (its new listener's port is taken)
 * changes nothing: the event log stays where it was, at its level, and
 * the new log file is never created. The reload event itself goes to the
 * log that stays.
 */
START_TEST(test_reload_all_or_nothing)
{
	char		 conf[] = "/tmp/check_relay_conf.XXXXXX";
	char		 newlog[] = "/tmp/check_relay_newlog.XXXXXX";
	char		 text[1024];
	struct stat	 sb;
	int		 fd, busy, busyport, tport, created;

	relay_up("");
	fd = mkstemp(newlog);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(newlog);
	busy = listen_any(&busyport);
	tport = busyport;	/* any port: nothing connects */
	fd = mkstemp(conf);
	ck_assert_int_ge(fd, 0);
	snprintf(text, sizeof(text),
	    "event_log = \"%s\";\n"
	    "log_level = \"error\";\n"
	    "relays = ( {\n"
	    "  name = \"t2\";\n"
	    "  listen = \"127.0.0.1:%d\";\n"
	    "  target = \"127.0.0.1:%d\";\n"
	    "} );\n", newlog, busyport, tport);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	sc.sc_conffile = conf;

	ck_assert_int_eq(relay_reload(&sc, NULL), -1);
	unlink(conf);
	created = stat(newlog, &sb) == 0;
	unlink(newlog);
	ck_assert(!created);
	ck_assert(eventlog_enabled(LOG_LEVEL_DEBUG));
	ck_assert_int_eq(events("reload", "\"result\":\"failed\""), 1);
	/* The running relay is the old one, still named t. */
	ck_assert_str_eq(the_relay()->rl_name, "t");
	ck_assert_ptr_null(the_relay()->rl_entry.tqe_next);
	close(busy);
	relay_down();
}
END_TEST

/*
 * pinhole_open() when its expiry timer cannot be had: it fails before it
 * listens (no listen event, nothing bound, no hidden relay), and whatever
 * it built is freed (LeakSanitizer on the ASan build).
 */
START_TEST(test_pinhole_timer_fails)
{
	struct sockaddr_in	 l, t, cl;
	struct conn		*c;
	int			 cfd, tfd, lport, pport, s;

	lport = relay_up("protocol = \"epm\"; pinholes = true;");
	cfd = client_connect(lport);
	tfd = target_accept();
	c = the_conn();
	ck_assert_ptr_nonnull(c);
	pport = free_port();
	memset(&l, 0, sizeof(l));
	l.sin_family = AF_INET;
	l.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l.sin_port = htons(pport);
	t = l;
	t.sin_port = htons(lport);
	cl = l;
	cl.sin_port = 0;
	ck_assert_int_eq(events("listen", NULL), 1);

	fail_timers = 1;
	ck_assert_int_eq(pinhole_open(c, "epm", (struct sockaddr *)&l,
	    (struct sockaddr *)&t, (struct sockaddr *)&cl, "test"), -1);
	fail_timers = 0;
	ck_assert_int_eq(events("listen", NULL), 1);
	ck_assert_ptr_null(TAILQ_NEXT(the_relay(), rl_entry));
	/* Nothing listens on the pinhole's port. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(s, (struct sockaddr *)&l, sizeof(l)), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	close(s);

	/* With a timer it opens, on that port, as the second relay. */
	ck_assert_int_eq(pinhole_open(c, "epm", (struct sockaddr *)&l,
	    (struct sockaddr *)&t, (struct sockaddr *)&cl, "test"), pport);
	ck_assert_ptr_nonnull(TAILQ_NEXT(the_relay(), rl_entry));
	ck_assert_int_eq(events("pinhole_open", NULL), 1);
	close(cfd);
	close(tfd);
	pinhole_shutdown();
	relay_down();
}
END_TEST

static Suite *
relay_suite(void)
{
	Suite	*s = suite_create("relay");
	TCase	*tc;

#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_set_timeout(tc, 60);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("halfclose", test_halfclose);
	ADD("watermarks", test_watermarks);
	ADD("inspector_hold_release", test_inspector_hold_release);
	ADD("inspector_answer", test_inspector_answer);
	ADD("deferred_free", test_deferred_free);
	ADD("close_keeps_state", test_close_keeps_state);
	ADD("reload_all_or_nothing", test_reload_all_or_nothing);
	ADD("pinhole_timer_fails", test_pinhole_timer_fails);
#undef ADD
	return (s);
}

const struct check_unit check_unit = { relay_suite, NULL, NULL };
