/*
 * Unit tests for src/config.c: the config corpus, decoded values and
 * defaults, relay copies, and fault_conf_from_json().
 *
 * Corpus convention. Every .conf file in tests/conf/good must load without
 * a message. Each tests/conf/bad/X.conf must fail with exactly the lines of
 * tests/conf/bad/X.err, in order. The test chdir()s into tests/conf/bad and
 * loads "X.conf", so the .err files name the file as plain "X.conf", e.g.
 *	several.conf:9: negative timeout 'idle'
 * To add a case, write X.conf and X.err side by side; the lists are read
 * from the directories at run time. The corpus is found under
 * $top_srcdir (exported by the Makefile's AM_TESTS_ENVIRONMENT), or under
 * FW_TOP_SRCDIR, set at compile time, when the program runs by hand.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "fwrelay.h"
#include "check_main.h"

#ifndef FW_TOP_SRCDIR
#define FW_TOP_SRCDIR "."
#endif

Suite	*config_suite(void);

static char	 top[4096];
static char	**good_files, **bad_files, **err_files;
static size_t	 ngood, nbad, nerr;

static const char *
topdir(void)
{
	const char	*t;

	if (top[0] == '\0') {
		if ((t = getenv("top_srcdir")) == NULL || *t == '\0')
			t = FW_TOP_SRCDIR;
		snprintf(top, sizeof(top), "%s", t);
	}
	return (top);
}

static void
corpus_chdir(const char *sub)
{
	char	path[4200];

	snprintf(path, sizeof(path), "%s/tests/conf/%s", topdir(), sub);
	ck_assert_msg(chdir(path) == 0, "chdir %s: %s", path, strerror(errno));
}

static int
namecmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Sorted names in tests/conf/sub ending in suffix. */
static char **
corpus_list(const char *sub, const char *suffix, size_t *n)
{
	char		 path[4200], **v = NULL, **nv;
	DIR		*d;
	struct dirent	*de;
	size_t		 len, slen = strlen(suffix);

	*n = 0;
	snprintf(path, sizeof(path), "%s/tests/conf/%s", topdir(), sub);
	if ((d = opendir(path)) == NULL)
		return (NULL);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= slen || strcmp(de->d_name + len - slen, suffix) != 0)
			continue;
		if ((nv = realloc(v, (*n + 1) * sizeof(*v))) == NULL)
			break;
		v = nv;
		if ((v[*n] = strdup(de->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), namecmp);
	return (v);
}

static void
corpus_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The lines of a file, without newlines or trailing empty lines. */
static char **
read_lines(const char *file, size_t *n)
{
	FILE	*f;
	char	 line[2048], **v = NULL;
	size_t	 len;

	*n = 0;
	if ((f = fopen(file, "r")) == NULL)
		return (NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		v = realloc(v, (*n + 1) * sizeof(*v));
		ck_assert_ptr_nonnull(v);
		v[(*n)++] = strdup(line);
	}
	fclose(f);
	while (*n > 0 && v[*n - 1][0] == '\0')
		free(v[--(*n)]);
	return (v);
}

static struct fwrelay_conf *
load_string(const char *s, struct config_errors *errs)
{
	return (config_load_string(s, "test.conf", errs));
}

/* Load s, which must fail with exactly one message, msg. */
static void
string_fails(const char *s, const char *msg)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;

	conf = load_string(s, &errs);
	ck_assert_msg(conf == NULL, "accepted: %s", s);
	ck_assert_msg(errs.n == 1, "%zu messages for: %s (first: %s)", errs.n,
	    s, errs.n > 0 ? errs.msgs[0] : "none");
	ck_assert_str_eq(errs.msgs[0], msg);
	config_errors_clear(&errs);
}

static const char *
saddr(const struct sockaddr_storage *ss)
{
	static char	buf[ADDR_STRLEN];

	return (addr_str((const struct sockaddr *)ss, buf, sizeof(buf)));
}

START_TEST(test_corpus_present)
{
	size_t	i, j;

	/* The corpus must exist, and every .err must have its .conf. */
	ck_assert_msg(ngood >= 4, "good corpus not found under %s", topdir());
	ck_assert_msg(nbad >= 10, "bad corpus not found under %s", topdir());
	ck_assert_uint_eq(nbad, nerr);
	for (i = 0; i < nerr; i++) {
		for (j = 0; j < nbad; j++)
			if (strncmp(err_files[i], bad_files[j],
			    strlen(err_files[i]) - 4) == 0 &&
			    strlen(bad_files[j]) == strlen(err_files[i]) + 1)
				break;
		ck_assert_msg(j < nbad, "%s has no .conf", err_files[i]);
	}
}
END_TEST

START_TEST(test_good)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	const char		*name = good_files[_i];

	corpus_chdir("good");
	conf = config_load(name, &errs);
	ck_assert_msg(conf != NULL && errs.n == 0, "%s: %s", name,
	    errs.n > 0 ? errs.msgs[0] : "NULL without a message");
	ck_assert_str_eq(conf->file, name);
	config_free(conf);
	config_errors_clear(&errs);
}
END_TEST

START_TEST(test_bad)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	const char		*name = bad_files[_i];
	char			 errfile[512], **want, report[8192];
	size_t			 nwant, i, off = 0;
	int			 same;

	corpus_chdir("bad");
	snprintf(errfile, sizeof(errfile), "%.*s.err",
	    (int)(strlen(name) - 5), name);
	want = read_lines(errfile, &nwant);
	ck_assert_msg(want != NULL, "%s: missing %s", name, errfile);

	conf = config_load(name, &errs);
	ck_assert_msg(conf == NULL, "%s: loaded", name);

	same = errs.n == nwant;
	for (i = 0; same && i < nwant; i++)
		same = strcmp(errs.msgs[i], want[i]) == 0;
	if (!same) {
		off += (size_t)snprintf(report + off, sizeof(report) - off,
		    "%s: got %zu messages, want %zu\n", name, errs.n, nwant);
		for (i = 0; i < errs.n && off < sizeof(report); i++)
			off += (size_t)snprintf(report + off,
			    sizeof(report) - off, "got:  %s\n", errs.msgs[i]);
		for (i = 0; i < nwant && off < sizeof(report); i++)
			off += (size_t)snprintf(report + off,
			    sizeof(report) - off, "want: %s\n", want[i]);
	}
	ck_assert_msg(same, "%s", report);
	for (i = 0; i < nwant; i++)
		free(want[i]);
	free(want);
	config_errors_clear(&errs);
}
END_TEST

START_TEST(test_default_conf)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	struct relay_conf	*rc;
	char			 path[4200];

	snprintf(path, sizeof(path), "%s/conf/fwrelay.conf", topdir());
	conf = config_load(path, &errs);
	ck_assert_msg(conf != NULL, "%s", errs.n > 0 ? errs.msgs[0] : "?");
	ck_assert_str_eq(conf->file, path);
	ck_assert_str_eq(conf->event_log, "-");
	ck_assert_uint_eq(conf->nrelays, 1);
	rc = TAILQ_FIRST(&conf->relays);
	ck_assert_str_eq(rc->name, "demo");
	ck_assert_str_eq(saddr(&rc->listen), "127.0.0.1:10102");
	ck_assert_int_eq(rc->listen_lo, 10102);
	ck_assert_int_eq(rc->listen_hi, 10102);
	ck_assert_int_eq(rc->target_kind, TARGET_ADDR);
	ck_assert_str_eq(saddr(&rc->target), "127.0.0.1:20102");
	ck_assert_int_eq(rc->source, SOURCE_REWRITE);
	ck_assert_int_eq(rc->enabled, 1);
	ck_assert_int_eq(rc->policy.present, 0);
	ck_assert_int_eq(rc->protocol, PROTO_NONE);
	config_free(conf);
}
END_TEST

START_TEST(test_defaults)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	struct relay_conf	*rc;

	conf = load_string("relays = ( { name = \"d\"; listen = \"127.0.0.1:1\";"
	    " target = \"127.0.0.1:2\"; } );", &errs);
	ck_assert_ptr_nonnull(conf);
	ck_assert_str_eq(conf->file, "test.conf");
	ck_assert_str_eq(conf->event_log, "-");
	ck_assert_int_eq(conf->log_level, LOG_LEVEL_INFO);
	ck_assert_double_eq(conf->shutdown_timeout, FWRELAY_SHUTDOWN_TIMEOUT);
	ck_assert_ptr_null(conf->control);
	ck_assert_ptr_null(conf->control_tcp);
	ck_assert_ptr_null(conf->user);
	ck_assert_ptr_null(conf->group);
	ck_assert_str_eq(conf->instance, "fwrelay");
	rc = TAILQ_FIRST(&conf->relays);
	ck_assert_int_eq(rc->line, 1);
	ck_assert_int_eq(rc->intercept, 0);
	ck_assert_double_eq(rc->connect_timeout, 10.0);
	ck_assert_double_eq(rc->idle_timeout, 600.0);
	ck_assert_uint_eq(rc->max_connections, 10000);
	ck_assert_uint_eq(rc->buffer_size, 65536);
	ck_assert_int_eq(rc->enabled, 1);
	ck_assert_int_eq(rc->source, SOURCE_REWRITE);
	ck_assert_int_eq(rc->has_source_address, 0);
	ck_assert_int_eq(rc->source_port, SOURCE_PORT_ANY);
	ck_assert_int_eq(rc->policy.present, 0);
	ck_assert_uint_eq(rc->policy.nrules, 0);
	ck_assert_int_eq(rc->protocol, PROTO_NONE);
	ck_assert_int_eq(rc->strict, 0);
	ck_assert_ptr_null(rc->tsap_allow);
	ck_assert_int_eq(rc->pinholes, 0);
	ck_assert_double_eq(rc->pinhole_timeout, 120.0);
	ck_assert_int_eq(rc->pinhole_uses, PINHOLE_ONCE);
	ck_assert_int_eq(rc->rewrite_towers, 0);
	ck_assert_int_eq(rc->string_bindings, 0);
	ck_assert_uint_eq(rc->nfaults, 0);
	config_free(conf);
}
END_TEST

START_TEST(test_full_values)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	struct relay_conf	*rc;
	struct rule		*r;
	struct sockaddr_storage	 src, dst;

	corpus_chdir("good");
	conf = config_load("full.conf", &errs);
	ck_assert_msg(conf != NULL, "%s", errs.n > 0 ? errs.msgs[0] : "?");
	ck_assert_str_eq(conf->event_log, "/tmp/fwrelay-events.json");
	ck_assert_int_eq(conf->log_level, LOG_LEVEL_DEBUG);
	ck_assert_double_eq(conf->shutdown_timeout, 2.5);
	ck_assert_str_eq(conf->control, "/tmp/fwrelay-test.sock");
	ck_assert_str_eq(conf->control_tcp, "[::1]:8470");
	ck_assert_str_eq(conf->user, "nobody");
	ck_assert_str_eq(conf->group, "nogroup");
	ck_assert_str_eq(conf->instance, "lab_1-a");
	ck_assert_uint_eq(conf->nrelays, 3);

	rc = config_find_relay(conf, "mta.in");
	ck_assert_ptr_eq(rc, TAILQ_FIRST(&conf->relays));
	ck_assert_int_eq(rc->line, 12);
	ck_assert_str_eq(saddr(&rc->listen), "127.1.0.1:10102");
	ck_assert_uint_eq(rc->listen_len, sizeof(struct sockaddr_in));
	ck_assert_int_eq(rc->target_kind, TARGET_ADDR);
	ck_assert_str_eq(saddr(&rc->target), "127.2.0.10:20102");
	ck_assert_double_eq(rc->connect_timeout, 3.0);
	ck_assert_double_eq(rc->idle_timeout, 0.0);
	ck_assert_uint_eq(rc->max_connections, 1);
	ck_assert_uint_eq(rc->buffer_size, 1024);
	ck_assert_int_eq(rc->enabled, 0);
	ck_assert_int_eq(rc->source, SOURCE_FIXED);
	ck_assert_int_eq(rc->has_source_address, 1);
	ck_assert_str_eq(saddr(&rc->source_address), "127.1.0.100:0");
	ck_assert_int_eq(rc->source_port, SOURCE_PORT_RANGE);
	ck_assert_int_eq(rc->source_port_lo, 40000);
	ck_assert_int_eq(rc->source_port_hi, 40099);
	ck_assert_int_eq(rc->protocol, PROTO_RFC1006);
	ck_assert_int_eq(rc->strict, 1);
	ck_assert_uint_eq(rc->ntsap_allow, 2);
	ck_assert_str_eq(rc->tsap_allow[0], "MTA1");
	ck_assert_str_eq(rc->tsap_allow[1], "MTA88-DECUS1");
	ck_assert_ptr_null(rc->tsap_allow[2]);

	ck_assert_int_eq(rc->policy.present, 1);
	ck_assert_uint_eq(rc->policy.nrules, 4);
	r = rc->policy.rules;
	ck_assert_int_eq(r[0].line, 25);
	ck_assert_int_eq(r[0].action, RULE_ALLOW);
	ck_assert_int_eq(r[0].has_from, 1);
	ck_assert_int_eq(r[0].from.prefix, 24);
	ck_assert_int_eq(r[0].has_to, 1);
	ck_assert_int_eq(r[0].to.prefix, 32);
	ck_assert_int_eq(r[0].port_lo, 20102);
	ck_assert_int_eq(r[0].port_hi, 20102);
	/* The mapped network was stored as 127.3.0.0/16. */
	ck_assert_int_eq(r[1].from.family, AF_INET);
	ck_assert_int_eq(r[1].from.prefix, 16);
	ck_assert_int_eq(r[1].has_to, 0);
	ck_assert_int_eq(r[1].port_lo, 1000);
	ck_assert_int_eq(r[1].port_hi, 1999);
	ck_assert_int_eq(r[2].action, RULE_DENY);
	ck_assert_int_eq(r[2].deny, DENY_DROP);
	ck_assert_int_eq(r[2].from.family, AF_INET6);
	ck_assert_int_eq(r[3].action, RULE_DENY);
	ck_assert_int_eq(r[3].deny, DENY_RESET);
	ck_assert_int_eq(r[3].has_from + r[3].has_to + r[3].port_lo, 0);

	/* The loaded policy decides as written. */
	addr_parse("127.1.0.5:3000", ADDR_PORT_REQUIRED, &src, NULL, NULL,
	    NULL, NULL);
	addr_parse("127.2.0.10:20102", ADDR_PORT_REQUIRED, &dst, NULL, NULL,
	    NULL, NULL);
	ck_assert_int_eq(policy_match(&rc->policy, (struct sockaddr *)&src,
	    (struct sockaddr *)&dst), 0);
	addr_parse("[::ffff:127.3.9.9]:3000", ADDR_PORT_REQUIRED, &src, NULL,
	    NULL, NULL, NULL);
	addr_parse("127.9.9.9:1999", ADDR_PORT_REQUIRED, &dst, NULL, NULL,
	    NULL, NULL);
	ck_assert_int_eq(policy_match(&rc->policy, (struct sockaddr *)&src,
	    (struct sockaddr *)&dst), 1);
	addr_parse("[::1]:3000", ADDR_PORT_REQUIRED, &src, NULL, NULL, NULL,
	    NULL);
	ck_assert_int_eq(policy_match(&rc->policy, (struct sockaddr *)&src,
	    (struct sockaddr *)&dst), 2);
	addr_parse("127.9.9.9:3000", ADDR_PORT_REQUIRED, &src, NULL, NULL,
	    NULL, NULL);
	ck_assert_int_eq(policy_match(&rc->policy, (struct sockaddr *)&src,
	    (struct sockaddr *)&dst), 3);

	ck_assert_uint_eq(rc->nfaults, 3);
	ck_assert_str_eq(rc->faults[0].type, "latency");
	ck_assert_int_eq(rc->faults[0].direction, FAULT_UP);
	ck_assert_double_eq(rc->faults[0].probability, 0.5);
	ck_assert_int_eq(rc->faults[0].line, 36);
	ck_assert_int_eq(json_integer_value(json_object_get(
	    rc->faults[0].params, "latency_ms")), 200);
	ck_assert_double_eq(json_real_value(json_object_get(
	    rc->faults[0].params, "jitter_ms")), 12.5);
	ck_assert_str_eq(rc->faults[1].type, "cr_refuse");
	ck_assert_int_eq(rc->faults[1].direction, FAULT_UP | FAULT_DOWN);
	ck_assert_double_eq(rc->faults[1].probability, 1.0);
	ck_assert_str_eq(json_string_value(json_object_get(
	    rc->faults[1].params, "reason")), "address unknown");
	ck_assert_str_eq(rc->faults[2].type, "pdu_delay");
	ck_assert_int_eq(rc->faults[2].direction, FAULT_DOWN);

	rc = config_find_relay(conf, "epm");
	ck_assert_ptr_nonnull(rc);
	ck_assert_str_eq(saddr(&rc->listen), "[::1]:10135");
	ck_assert_uint_eq(rc->listen_len, sizeof(struct sockaddr_in6));
	ck_assert_str_eq(saddr(&rc->target), "[::1]:20135");
	ck_assert_int_eq(rc->protocol, PROTO_EPM);
	ck_assert_int_eq(rc->pinholes, 1);
	ck_assert_double_eq(rc->pinhole_timeout, 30.0);
	ck_assert_int_eq(rc->pinhole_uses, PINHOLE_MANY);
	ck_assert_int_eq(rc->rewrite_towers, 1);
	ck_assert_int_eq(rc->string_bindings, 1);
	ck_assert_int_eq(rc->source, SOURCE_REWRITE);
	ck_assert_str_eq(saddr(&rc->source_address), "[::1]:0");
	ck_assert_uint_eq(rc->max_connections, RELAY_MAX_CONNECTIONS);
	ck_assert_int_eq(rc->policy.present, 0);

	rc = config_find_relay(conf, "Range_2");
	ck_assert_ptr_nonnull(rc);
	ck_assert_int_eq(rc->listen_lo, 11000);
	ck_assert_int_eq(rc->listen_hi, 15095);
	ck_assert_int_eq(addr_port((struct sockaddr *)&rc->listen), 11000);
	ck_assert_int_eq(rc->target_kind, TARGET_SAME_PORT);
	ck_assert_str_eq(saddr(&rc->target), "127.0.0.2:0");
	ck_assert_int_eq(rc->source, SOURCE_TRANSPARENT);
	ck_assert_int_eq(rc->source_port, SOURCE_PORT_PRESERVE);
	ck_assert_int_eq(rc->protocol, PROTO_DCERPC);
	ck_assert_double_eq(rc->connect_timeout, 0.25);
	ck_assert_double_eq(rc->idle_timeout, 1.5);
	ck_assert_int_eq(rc->policy.present, 1);
	ck_assert_uint_eq(rc->policy.nrules, 0);

	ck_assert_ptr_null(config_find_relay(conf, "range_2"));
	ck_assert_ptr_null(config_find_relay(conf, NULL));
	ck_assert_ptr_null(config_find_relay(NULL, "epm"));
	config_free(conf);
}
END_TEST

START_TEST(test_intercept)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	struct relay_conf	*rc;

	corpus_chdir("good");
	conf = config_load("intercept.conf", &errs);
	ck_assert_ptr_nonnull(conf);
	rc = config_find_relay(conf, "tproxy");
	ck_assert_int_eq(rc->target_kind, TARGET_ORIGINAL);
	ck_assert_int_eq(rc->intercept, 1);
	ck_assert_uint_eq(rc->target_len, 0);
	rc = config_find_relay(conf, "other-family");
	ck_assert_int_eq(rc->source_port, SOURCE_PORT_RANGE);
	ck_assert_int_eq(rc->source_port_lo, 5000);
	ck_assert_int_eq(rc->source_port_hi, 5000);
	config_free(conf);
}
END_TEST

/* strict: a boolean (true is "framing") or one of three names. */
START_TEST(test_strict_modes)
{
	static const struct {
		const char	*v;
		int		 want;
	} t[] = {
		{ "false", STRICT_OFF }, { "true", STRICT_FRAMING },
		{ "\"off\"", STRICT_OFF }, { "\"framing\"", STRICT_FRAMING },
		{ "\"conformance\"", STRICT_CONFORMANCE }
	};
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	char			 buf[256];
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(buf, sizeof(buf), "relays = ( { name = \"s\"; listen = "
		    "\"127.0.0.1:1\"; target = \"127.0.0.1:2\"; protocol = "
		    "\"rfc1006\"; strict = %s; } );", t[i].v);
		conf = load_string(buf, &errs);
		ck_assert_msg(conf != NULL, "%s: %s", t[i].v, errs.n ?
		    errs.msgs[0] : "");
		ck_assert_int_eq(config_find_relay(conf, "s")->strict,
		    t[i].want);
		config_free(conf);
	}
	string_fails("relays = ( { name = \"s\"; listen = \"127.0.0.1:1\";\n"
	    "target = \"127.0.0.1:2\"; protocol = \"rfc1006\";\n"
	    "strict = \"lax\"; } );", "test.conf:3: 'strict' must be "
	    "\"off\", \"framing\" or \"conformance\", not \"lax\"");
	string_fails("relays = ( { name = \"s\"; listen = \"127.0.0.1:1\";\n"
	    "target = \"127.0.0.1:2\"; protocol = \"rfc1006\";\n"
	    "strict = 2; } );", "test.conf:3: 'strict' must be true, false, "
	    "\"framing\" or \"conformance\"");
}
END_TEST

START_TEST(test_strings)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;

	/* Syntax errors name the string as the caller did. */
	string_fails("relays = (", "test.conf:1: syntax error");
	conf = config_load_string("relays = (\n{ name = ; } );", NULL, &errs);
	ck_assert_ptr_null(conf);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.msgs[0], "(string):2: syntax error");
	config_errors_clear(&errs);

	string_fails("", "test.conf: missing required key 'relays' (an empty "
	    "list \"relays = ();\" is allowed)");
	string_fails("relays = ();\ncontrol_tcp = \"[::1]:0\";",
	    "test.conf:2: bad address '[::1]:0': port 0 out of range 1-65535");
	string_fails("relays = ();\ncontrol_tcp = \"127.0.0.1\";",
	    "test.conf:2: bad address '127.0.0.1': missing port");
	string_fails("relays = ();\nshutdown_timeout = 1e400;",
	    "test.conf:2: 'shutdown_timeout' must be a finite number");

	/* Ints and floats alike where a real is meant; 64-bit ints too. */
	conf = load_string("shutdown_timeout = 7; relays = ( { name = \"x\";"
	    " listen = \"[::]:5\"; target = \"::1\"; timeouts = { connect ="
	    " 2L; idle = 0.5; }; } );", &errs);
	ck_assert_msg(conf != NULL, "%s", errs.n ? errs.msgs[0] : "?");
	ck_assert_double_eq(conf->shutdown_timeout, 7.0);
	ck_assert_double_eq(TAILQ_FIRST(&conf->relays)->connect_timeout, 2.0);
	ck_assert_int_eq(TAILQ_FIRST(&conf->relays)->target_kind,
	    TARGET_SAME_PORT);
	config_free(conf);

	/* An empty array counts as an empty list. */
	conf = load_string("relays = [];", &errs);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(conf->nrelays, 0);
	config_free(conf);

	/* A port range of exactly 4096 is fine, 4097 is not. */
	conf = load_string("relays = ( { name = \"r\"; listen = "
	    "\"127.0.0.1:1-4096\"; target = \"127.0.0.1\"; } );", &errs);
	ck_assert_ptr_nonnull(conf);
	config_free(conf);
	string_fails("relays = ( { name = \"r\"; listen = \"127.0.0.1:1-4097\";"
	    " target = \"127.0.0.1\"; } );", "test.conf:1: port range 1-4097 "
	    "is 4097 ports wide, at most 4096 (one listener per port)");
	ck_assert_uint_eq(errs.n, 0);
}
END_TEST

START_TEST(test_missing_file)
{
	struct config_errors	 errs = { NULL, 0 };

	corpus_chdir("bad");
	ck_assert_ptr_null(config_load("no-such-file.conf", &errs));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.msgs[0],
	    "no-such-file.conf: cannot open: No such file or directory");
	config_errors_clear(&errs);
	/* Errors can also go nowhere. */
	ck_assert_ptr_null(config_load("no-such-file.conf", NULL));
	ck_assert_ptr_null(config_load("several.conf", NULL));
}
END_TEST

START_TEST(test_errors_api)
{
	struct config_errors	errs = { NULL, 0 };

	config_errors_add(&errs, "a.conf", 3, "unknown key '%s'", "foo");
	config_errors_add(&errs, "b.conf", 0, "cannot open: %s", "why");
	config_errors_add(&errs, NULL, 1, "x");
	ck_assert_uint_eq(errs.n, 3);
	ck_assert_str_eq(errs.msgs[0], "a.conf:3: unknown key 'foo'");
	ck_assert_str_eq(errs.msgs[1], "b.conf: cannot open: why");
	ck_assert_str_eq(errs.msgs[2], "(config):1: x");
	config_errors_clear(&errs);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_ptr_null(errs.msgs);
	config_errors_clear(&errs);
	config_errors_add(NULL, "a", 1, "ignored");
	config_errors_clear(NULL);
}
END_TEST

START_TEST(test_dup)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	struct relay_conf	*rc, *copy;
	json_t			*params;
	size_t			 refs;

	corpus_chdir("good");
	conf = config_load("full.conf", &errs);
	ck_assert_ptr_nonnull(conf);
	rc = config_find_relay(conf, "mta.in");
	params = rc->faults[0].params;
	refs = params->refcount;
	copy = relay_conf_dup(rc);
	ck_assert_ptr_nonnull(copy);
	ck_assert_uint_eq(params->refcount, refs + 1);
	ck_assert_str_eq(copy->name, "mta.in");
	ck_assert_ptr_ne(copy->policy.rules, rc->policy.rules);
	ck_assert_uint_eq(copy->policy.nrules, 4);
	ck_assert_ptr_ne(copy->tsap_allow, rc->tsap_allow);
	ck_assert_ptr_ne(copy->tsap_allow[0], rc->tsap_allow[0]);
	ck_assert_ptr_null(copy->tsap_allow[2]);
	ck_assert_ptr_ne(copy->faults, rc->faults);
	ck_assert_ptr_eq(copy->faults[0].params, params);
	ck_assert_int_eq(copy->refcnt, 0);

	/* The copy outlives the configuration it came from. */
	json_incref(params);
	config_free(conf);
	ck_assert_uint_eq(params->refcount, refs + 1);
	ck_assert_str_eq(copy->tsap_allow[1], "MTA88-DECUS1");
	ck_assert_int_eq(copy->policy.rules[3].action, RULE_DENY);
	ck_assert_str_eq(copy->faults[2].type, "pdu_delay");
	relay_conf_free(copy);
	ck_assert_uint_eq(params->refcount, 1);
	json_decref(params);
	relay_conf_free(NULL);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(source_mode_name(SOURCE_REWRITE), "rewrite");
	ck_assert_str_eq(source_mode_name(SOURCE_TRANSPARENT), "transparent");
	ck_assert_str_eq(source_mode_name(SOURCE_FIXED), "fixed");
	ck_assert_str_eq(deny_style_name(DENY_RESET), "reset");
	ck_assert_str_eq(deny_style_name(DENY_CLOSE), "close");
	ck_assert_str_eq(deny_style_name(DENY_DROP), "drop");
	ck_assert_str_eq(protocol_name(PROTO_NONE), "none");
	ck_assert_str_eq(protocol_name(PROTO_RFC1006), "rfc1006");
	ck_assert_str_eq(protocol_name(PROTO_DCERPC), "dcerpc");
	ck_assert_str_eq(protocol_name(PROTO_EPM), "epm");
}
END_TEST

/* fault_conf_from_json() on text, as the control API would call it. */
static int
fault_json(const char *text, struct fault_conf *fc, const char **errstr)
{
	json_t	*j;
	int	 r;

	j = json_loads(text, JSON_DECODE_ANY, NULL);
	ck_assert_msg(j != NULL, "bad JSON in test: %s", text);
	*errstr = NULL;
	r = fault_conf_from_json(j, fc, errstr);
	json_decref(j);
	return (r);
}

static void
fault_fails(const char *text, const char *msg)
{
	struct fault_conf	 fc;
	const char		*errstr;

	ck_assert_msg(fault_json(text, &fc, &errstr) == -1, "accepted %s",
	    text);
	ck_assert_msg(errstr != NULL && strcmp(errstr, msg) == 0,
	    "%s: got \"%s\", want \"%s\"", text, errstr ? errstr : "(null)",
	    msg);
	ck_assert_ptr_null(fc.params);
}

START_TEST(test_fault_json)
{
	struct fault_conf	 fc;
	const char		*errstr;
	json_t			*j;

	j = json_pack("{s:s, s:i, s:s, s:f}", "type", "latency", "latency_ms",
	    250, "direction", "downstream", "probability", 0.25);
	ck_assert_int_eq(fault_conf_from_json(j, &fc, &errstr), 0);
	ck_assert_str_eq(fc.type, "latency");
	ck_assert_int_eq(fc.direction, FAULT_DOWN);
	ck_assert_double_eq(fc.probability, 0.25);
	ck_assert_ptr_eq(fc.params, j);
	ck_assert_uint_eq(j->refcount, 2);
	fault_conf_clear(&fc);
	ck_assert_ptr_null(fc.params);
	ck_assert_uint_eq(j->refcount, 1);
	json_decref(j);

	/* Every type with its required parameters; integral reals count. */
	ck_assert_int_eq(fault_json("{\"type\":\"blackhole\"}", &fc, &errstr),
	    0);
	ck_assert_int_eq(fc.direction, FAULT_UP | FAULT_DOWN);
	ck_assert_double_eq(fc.probability, 1.0);
	fault_conf_clear(&fc);
	ck_assert_int_eq(fault_json("{\"type\":\"reset_after\",\"bytes\":"
	    "1000.0,\"direction\":\"upstream\"}", &fc, &errstr), 0);
	ck_assert_int_eq(fc.direction, FAULT_UP);
	fault_conf_clear(&fc);
	ck_assert_int_eq(fault_json("{\"type\":\"cr_refuse\",\"reason\":"
	    "\"Address Unknown\"}", &fc, &errstr), 0);
	fault_conf_clear(&fc);
	ck_assert_int_eq(fault_json("{\"type\":\"cr_refuse\",\"reason\":255}",
	    &fc, &errstr), 0);
	fault_conf_clear(&fc);
	ck_assert_int_eq(fault_json("{\"type\":\"slicer\",\"size\":1,"
	    "\"delay_ms\":0}", &fc, &errstr), 0);
	fault_conf_clear(&fc);
	ck_assert_int_eq(fault_json("{\"type\":\"pdu_drop\",\"tpdu\":\"ER\","
	    "\"probability\":0}", &fc, &errstr), 0);
	ck_assert_double_eq(fc.probability, 0.0);
	fault_conf_clear(&fc);
	fault_conf_clear(NULL);

	fault_fails("[1]", "a fault must be an object");
	fault_fails("{}", "'type' is required");
	fault_fails("{\"type\":3}", "'type' must be a string");
	fault_fails("{\"type\":\"nope\"}", "unknown fault type (latency, "
	    "bandwidth, reset_after, blackhole, slicer, idle_blackhole, "
	    "pdu_delay, pdu_drop, cr_refuse, er_reply)");
	fault_fails("{\"type\":\"blackhole\",\"bytes\":1}",
	    "unknown parameter for this fault type");
	fault_fails("{\"type\":\"latency\"}", "'latency_ms' is required");
	fault_fails("{\"type\":\"latency\",\"latency_ms\":-0.5}",
	    "'latency_ms' must be a number >= 0");
	fault_fails("{\"type\":\"latency\",\"latency_ms\":\"5\"}",
	    "'latency_ms' must be a number >= 0");
	fault_fails("{\"type\":\"bandwidth\",\"bytes_per_second\":0}",
	    "'bytes_per_second' must be a number > 0");
	fault_fails("{\"type\":\"reset_after\",\"bytes\":1.5}",
	    "'bytes' must be an integer >= 0");
	fault_fails("{\"type\":\"slicer\"}", "'size' is required");
	fault_fails("{\"type\":\"idle_blackhole\",\"idle_seconds\":0}",
	    "'idle_seconds' must be a number > 0");
	fault_fails("{\"type\":\"pdu_delay\"}", "'delay_ms' is required");
	fault_fails("{\"type\":\"pdu_drop\",\"tpdu\":\"XY\"}",
	    "'tpdu' must be one of CR, CC, DR, DC, DT, ED, AK, EA, RJ, ER");
	fault_fails("{\"type\":\"cr_refuse\",\"reason\":-1}",
	    "'reason' must be an integer 0-255 or a reason name such as "
	    "\"address unknown\"");
	fault_fails("{\"type\":\"er_reply\",\"cause\":4}",
	    "'cause' must be an integer 0-3");
	fault_fails("{\"type\":\"blackhole\",\"direction\":\"up\"}",
	    "'direction' must be \"upstream\", \"downstream\" or \"both\"");
	fault_fails("{\"type\":\"blackhole\",\"probability\":1.01}",
	    "'probability' must be a number from 0 to 1");
	/* The first problem is the one reported. */
	fault_fails("{\"type\":\"latency\",\"direction\":\"x\"}",
	    "'direction' must be \"upstream\", \"downstream\" or \"both\"");
}
END_TEST

/* The number of workers a file gives, loaded alone. */
static unsigned int
workers_of(const char *text)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	unsigned int		 n;

	conf = load_string(text, &errs);
	ck_assert_msg(conf != NULL, "%s", errs.n ? errs.msgs[0] : "?");
	n = conf->workers;
	config_free(conf);
	return (n);
}

/* workers: 1 by default, 1-64 or "auto" (the CPUs online, at most 64). */
START_TEST(test_workers)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	long			 ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	ck_assert_uint_eq(workers_of("relays = ();"), 1);
	ck_assert_uint_eq(workers_of("workers = 64L; relays = ();"), 64);
	ck_assert_uint_eq(workers_of("workers = \"auto\"; relays = ();"),
	    ncpu < 1 ? 1 : ncpu > WORKERS_MAX ? WORKERS_MAX :
	    (unsigned int)ncpu);
	conf = load_string("workers = 2;\nrelays = ();", &errs);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(conf->workers, 2);
	ck_assert_int_eq(conf->workers_line, 1);
	config_free(conf);
	string_fails("relays = ();\nworkers = 0;",
	    "test.conf:2: workers 0 out of range (1-64)");
	string_fails("relays = ();\nworkers = 65;",
	    "test.conf:2: workers 65 out of range (1-64)");
	string_fails("relays = ();\nworkers = \"all\";",
	    "test.conf:2: 'workers' must be a number 1-64 or \"auto\" (one "
	    "per CPU)");
	string_fails("relays = ();\nworkers = 1.5;",
	    "test.conf:2: 'workers' must be a number 1-64 or \"auto\" (one "
	    "per CPU)");
}
END_TEST

Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc;

#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("corpus_present", test_corpus_present);
	tc = tcase_create("good_corpus");
	tcase_add_loop_test(tc, test_good, 0, (int)ngood);
	suite_add_tcase(s, tc);
	tc = tcase_create("bad_corpus");
	tcase_add_loop_test(tc, test_bad, 0, (int)nbad);
	suite_add_tcase(s, tc);
	ADD("default_conf", test_default_conf);
	ADD("defaults", test_defaults);
	ADD("full_values", test_full_values);
	ADD("intercept", test_intercept);
	ADD("strict_modes", test_strict_modes);
	ADD("strings", test_strings);
	ADD("missing_file", test_missing_file);
	ADD("errors_api", test_errors_api);
	ADD("dup", test_dup);
	ADD("names", test_names);
	ADD("fault_json", test_fault_json);
	ADD("workers", test_workers);
#undef ADD
	return (s);
}

static void
config_setup(void)
{
	good_files = corpus_list("good", ".conf", &ngood);
	bad_files = corpus_list("bad", ".conf", &nbad);
	err_files = corpus_list("bad", ".err", &nerr);
}

static void
config_teardown(void)
{
	corpus_free(good_files, ngood);
	corpus_free(bad_files, nbad);
	corpus_free(err_files, nerr);
}

const struct check_unit check_unit = {
	config_suite, config_setup, config_teardown
};
