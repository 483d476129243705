/*
 * One rule, one place: every bad relay setting the control API can take
 * (PATCH source, source_address, policy) is fed through the configuration
 * file and through the API's PATCH check, and both must refuse it with
 * the same message. The file adds "file:line: ", the API "policy rule N: "
 * and, where the message does not name it, "'key': "; the rest is equal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fwrelay.h"
#include "control.h"
#include "check_main.h"

struct confcheck_case {
	const char	*file;		/* relay keys in the file */
	const char	*api;		/* the PATCH body */
};

static const struct confcheck_case cases[] = {
	{ "source = \"sideways\";", "{\"source\": \"sideways\"}" },
	{ "source = 7;", "{\"source\": 7}" },
	{ "source = \"fixed\";", "{\"source\": \"fixed\"}" },
	{ "source_address = \"not-an-ip\";",
	    "{\"source_address\": \"not-an-ip\"}" },
	{ "source_address = \"127.0.0.1:80\";",
	    "{\"source_address\": \"127.0.0.1:80\"}" },
	{ "source_address = 5;", "{\"source_address\": 5}" },
	{ "source = \"transparent\"; source_address = \"127.0.0.1\";",
	    "{\"source\": \"transparent\", \"source_address\": \"127.0.0.1\"}" },
	{ "source_address = \"::1\";", "{\"source_address\": \"::1\"}" },
	{ "policy = ( { action = \"maybe\"; } );",
	    "{\"policy\": [{\"action\": \"maybe\"}]}" },
	{ "policy = ( { from = \"127.0.0.1\"; } );",
	    "{\"policy\": [{\"from\": \"127.0.0.1\"}]}" },
	{ "policy = ( { action = \"allow\"; from = \"300.1.1.1/8\"; } );",
	    "{\"policy\": [{\"action\": \"allow\", \"from\": \"300.1.1.1/8\"}]}" },
	{ "policy = ( { action = \"allow\"; from = \"10.0.0.1/8\"; } );",
	    "{\"policy\": [{\"action\": \"allow\", \"from\": \"10.0.0.1/8\"}]}" },
	{ "policy = ( { action = \"deny\"; to = \"::/129\"; } );",
	    "{\"policy\": [{\"action\": \"deny\", \"to\": \"::/129\"}]}" },
	{ "policy = ( { action = \"allow\"; port = 70000; } );",
	    "{\"policy\": [{\"action\": \"allow\", \"port\": 70000}]}" },
	{ "policy = ( { action = \"allow\"; port = \"9-2\"; } );",
	    "{\"policy\": [{\"action\": \"allow\", \"port\": \"9-2\"}]}" },
	{ "policy = ( { action = \"allow\"; port = true; } );",
	    "{\"policy\": [{\"action\": \"allow\", \"port\": true}]}" },
	{ "policy = ( { action = \"allow\"; deny = \"drop\"; } );",
	    "{\"policy\": [{\"action\": \"allow\", \"deny\": \"drop\"}]}" },
	{ "policy = ( { action = \"deny\"; deny = \"explode\"; } );",
	    "{\"policy\": [{\"action\": \"deny\", \"deny\": \"explode\"}]}" },
	{ "policy = ( { action = \"allow\"; colour = \"red\"; } );",
	    "{\"policy\": [{\"action\": \"allow\", \"colour\": \"red\"}]}" },
	{ "policy = ( { action = 1; } );",
	    "{\"policy\": [{\"action\": 1}]}" },
};

#define RELAY_FMT \
	"relays = ( { name = \"r\"; listen = \"127.0.0.1:10102\"; " \
	"target = \"127.0.0.1:10103\"; %s } );\n"

/* The first error the file gives, without "file:line: ". */
static void
file_error(const char *keys, char *buf, size_t len)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	char			 text[1024];
	const char		*p;

	snprintf(text, sizeof(text), RELAY_FMT, keys);
	conf = config_load_string(text, "t.conf", &errs);
	ck_assert_msg(conf == NULL, "the file took %s", keys);
	ck_assert_uint_ge(errs.n, 1);
	ck_assert_msg(strncmp(errs.msgs[0], "t.conf:", 7) == 0, "%s",
	    errs.msgs[0]);
	p = strchr(errs.msgs[0] + 7, ':');
	ck_assert_ptr_nonnull(p);
	snprintf(buf, len, "%s", p + 2);
	config_errors_clear(&errs);
}

/* The API's error for body, without its "policy rule N: 'key': " part. */
static void
api_error(const char *body, char *buf, size_t len)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	struct relay_conf	*out = NULL;
	json_t			*j, *changes, *prev;
	char			 text[1024], err[FWRELAY_ERR_MAX];
	const char		*p = err;
	int			 code;

	snprintf(text, sizeof(text), RELAY_FMT, "");
	conf = config_load_string(text, "t.conf", &errs);
	ck_assert_ptr_nonnull(conf);
	j = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(j);
	changes = json_object();
	prev = json_object();
	code = control_patch_conf(j, TAILQ_FIRST(&conf->relays), &out,
	    changes, prev, err, sizeof(err));
	ck_assert_msg(code == 422, "the API took %s (%d)", body, code);
	ck_assert_ptr_null(out);
	if (strncmp(p, "policy rule 0: ", 15) == 0)
		p += 15;
	if (*p == '\'' && strstr(p, "': ") != NULL &&
	    strchr(p + 1, '\'') + 1 == strstr(p, "': ") + 1)
		p = strstr(p, "': ") + 3;
	snprintf(buf, len, "%s", p);
	json_decref(j);
	json_decref(changes);
	json_decref(prev);
	config_free(conf);
}

START_TEST(test_same_message)
{
	const struct confcheck_case	*tc = &cases[_i];
	char				 f[FWRELAY_ERR_MAX], a[FWRELAY_ERR_MAX];

	file_error(tc->file, f, sizeof(f));
	api_error(tc->api, a, sizeof(a));
	ck_assert_msg(strcmp(f, a) == 0, "file says \"%s\", API says \"%s\"",
	    f, a);
}
END_TEST

START_TEST(test_good_both)
{
	struct config_errors	 errs = { NULL, 0 };
	struct fwrelay_conf	*conf;
	struct relay_conf	*out = NULL;
	json_t			*j, *changes, *prev;
	char			 text[1024], err[FWRELAY_ERR_MAX];

	/* What both take: a fixed source with its address, and a policy. */
	snprintf(text, sizeof(text), RELAY_FMT, "source = \"fixed\"; "
	    "source_address = \"127.0.0.1\"; policy = ( { action = \"allow\"; "
	    "from = \"127.0.0.0/8\"; port = \"1-2\"; } );");
	conf = config_load_string(text, "t.conf", &errs);
	ck_assert_ptr_nonnull(conf);
	config_free(conf);

	snprintf(text, sizeof(text), RELAY_FMT, "");
	conf = config_load_string(text, "t.conf", &errs);
	ck_assert_ptr_nonnull(conf);
	j = json_loads("{\"source\": \"fixed\", \"source_address\": "
	    "\"127.0.0.1\", \"policy\": [{\"action\": \"allow\", \"from\": "
	    "\"127.0.0.0/8\", \"port\": \"1-2\", \"line\": 3}]}", 0, NULL);
	changes = json_object();
	prev = json_object();
	ck_assert_int_eq(control_patch_conf(j, TAILQ_FIRST(&conf->relays),
	    &out, changes, prev, err, sizeof(err)), 200);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(out->source, SOURCE_FIXED);
	ck_assert_uint_eq(out->policy.nrules, 1);
	ck_assert_int_eq(out->policy.rules[0].port_hi, 2);
	relay_conf_free(out);
	json_decref(j);
	json_decref(changes);
	json_decref(prev);
	config_free(conf);
}
END_TEST

static Suite *
confcheck_suite(void)
{
	Suite	*s = suite_create("confcheck");
	TCase	*tc = tcase_create("same_message");

	tcase_add_loop_test(tc, test_same_message, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_good_both);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { confcheck_suite, NULL, NULL };
