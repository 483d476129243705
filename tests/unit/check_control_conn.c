/*
 * Unit tests for src/control_conn.c, the control API's request framing
 * read before evhttp does: the same verdict whether a request comes whole
 * or a byte at a time, a CRLF split between two reads, the head limit on
 * a line that never ends, bytes evhttp takes from the front, a body
 * counted and the request after it.
 */
#include <sys/types.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "fwrelay.h"
#include "control.h"
#include "check_main.h"

struct feed {
	struct control_conn	*cc;
	struct evbuffer		*buf;
	size_t			 scanned;
	const char		*why;
};

static void
feed_init(struct feed *f)
{
	ck_assert_ptr_nonnull(f->cc = control_conn_detached());
	ck_assert_ptr_nonnull(f->buf = evbuffer_new());
	f->scanned = 0;
	f->why = NULL;
}

static void
feed_free(struct feed *f)
{
	evbuffer_free(f->buf);
	free(f->cc);
}

/* n bytes of s come; step > 0: step bytes a read. */
static const char *
feed(struct feed *f, const char *s, size_t n, size_t step)
{
	size_t	 off, k;

	for (off = 0; off < n; off += k) {
		k = step == 0 || step > n - off ? n - off : step;
		evbuffer_add(f->buf, s + off, k);
		f->why = control_conn_feed(f->cc, f->buf, 0, k, &f->scanned);
	}
	return (f->why);
}

/* evhttp takes n bytes from the front. */
static void
take(struct feed *f, size_t n)
{
	evbuffer_drain(f->buf, n);
	f->why = control_conn_feed(f->cc, f->buf, n, 0, &f->scanned);
}

static char *
long_header(size_t value)
{
	static const char	 head[] = "GET /v1/status HTTP/1.1\r\nX-Long: ";
	static const char	 tail[] = "\r\nHost: x\r\n\r\n";
	char			*s;

	ck_assert_ptr_nonnull(s = malloc(sizeof(head) + value +
	    sizeof(tail)));
	memcpy(s, head, sizeof(head) - 1);
	memset(s + sizeof(head) - 1, 'a', value);
	memcpy(s + sizeof(head) - 1 + value, tail, sizeof(tail));
	return (s);
}

/*
 * A request with a header line of value bytes, whole and a byte at a
 * time: the same verdict (want, or none), and all of it read if none.
 */
static void
whole_and_trickled(size_t value, const char *want)
{
	struct feed	 f[2];
	char		*req = long_header(value);
	size_t		 i, n = strlen(req);

	for (i = 0; i < 2; i++) {
		feed_init(&f[i]);
		feed(&f[i], req, n, i);
		if (want == NULL) {
			ck_assert_ptr_null(f[i].why);
			ck_assert_uint_eq(f[i].scanned, n);
		} else
			ck_assert_str_eq(f[i].why, want);
		feed_free(&f[i]);
	}
	free(req);
}

START_TEST(test_trickle)
{
	whole_and_trickled(CONTROL_HEADERS_MAX / 2, NULL);
}
END_TEST

/*
 * Each CRLF split between two reads, the blank line's too: the head ends
 * there, so the body (which would be a folded header line, refused, if
 * it were read as head) is counted.
 */
START_TEST(test_crlf_split)
{
	static const char	 a[] = "POST /v1/faults HTTP/1.1\r";
	static const char	 b[] = "\nContent-Length: 4\r";
	static const char	 c[] = "\n\r";
	static const char	 d[] = "\n x\r\n";
	struct feed		 f;

	feed_init(&f);
	ck_assert_ptr_null(feed(&f, a, strlen(a), 0));
	ck_assert_uint_eq(f.scanned, 0);	/* no line yet */
	ck_assert_ptr_null(feed(&f, b, strlen(b), 0));
	ck_assert_uint_eq(f.scanned, strlen(a) + 1);
	ck_assert_ptr_null(feed(&f, c, strlen(c), 0));
	ck_assert_uint_eq(f.scanned, strlen(a) + strlen(b) + 1);
	ck_assert_ptr_null(feed(&f, d, strlen(d), 0));
	ck_assert_uint_eq(f.scanned, strlen(a) + strlen(b) + strlen(c) +
	    strlen(d));
	feed_free(&f);
}
END_TEST

/* A lone CR is no end of line, also when it ends a read. */
START_TEST(test_lone_cr)
{
	static const char	 a[] = "GET /v1/status HTTP/1.1\r";
	static const char	 b[] = "x\r\nHost: x\r\n\r\n";
	struct feed		 f;

	feed_init(&f);
	ck_assert_ptr_null(feed(&f, a, strlen(a), 0));
	ck_assert_ptr_null(feed(&f, b, strlen(b), 0));
	ck_assert_uint_eq(f.scanned, strlen(a) + strlen(b));
	feed_free(&f);
}
END_TEST

START_TEST(test_head_limit)
{
	whole_and_trickled(CONTROL_HEADERS_MAX + 10, "head");
}
END_TEST

/* evhttp takes the request line, then more of the head comes. */
START_TEST(test_taken)
{
	static const char	 a[] = "GET /v1/status HTTP/1.1\r\nHo";
	static const char	 b[] = "st: x\r\n\r\n";
	struct feed		 f;
	size_t			 line = strlen("GET /v1/status HTTP/1.1\r\n");

	feed_init(&f);
	ck_assert_ptr_null(feed(&f, a, strlen(a), 0));
	ck_assert_uint_eq(f.scanned, line);
	take(&f, line);
	ck_assert_uint_eq(f.scanned, 0);
	ck_assert_ptr_null(feed(&f, b, strlen(b), 1));
	ck_assert_uint_eq(f.scanned, strlen(a) + strlen(b) - line);
	feed_free(&f);
}
END_TEST

/* A body is counted, not searched; the next request is read again. */
START_TEST(test_body_then_next)
{
	static const char	 req[] = "PATCH /v1/relays/a HTTP/1.1\r\n"
	    "Host: x\r\nContent-Length: 12\r\n\r\n{\"x\":\"\r\n\r\n\"}"
	    "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char	 bad[] = "POST /v1/faults HTTP/1.1\r\n"
	    "Content-Length: 1x\r\n\r\n";
	struct feed		 f;

	feed_init(&f);
	ck_assert_ptr_null(feed(&f, req, strlen(req), 1));
	ck_assert_uint_eq(f.scanned, strlen(req));
	ck_assert_str_eq(feed(&f, bad, strlen(bad), 3), "length");
	feed_free(&f);
}
END_TEST

static Suite *
control_conn_suite(void)
{
	Suite	*s = suite_create("control_conn");
	TCase	*tc = tcase_create("framing");

	tcase_add_test(tc, test_trickle);
	tcase_add_test(tc, test_crlf_split);
	tcase_add_test(tc, test_lone_cr);
	tcase_add_test(tc, test_head_limit);
	tcase_add_test(tc, test_taken);
	tcase_add_test(tc, test_body_then_next);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { control_conn_suite, NULL, NULL };
