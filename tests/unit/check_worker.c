/*
 * Unit tests for src/worker.c: the pause that holds every other worker
 * between two of its callbacks (nested, and released), a worker's loop
 * that keeps running with nothing to wait for and ends when drained,
 * connection numbers, and the count behind max_connections shared by a
 * relay's copies and taken by two threads at once.
 */
#include <sys/time.h>

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "fwrelay.h"
#include "check_main.h"

static struct fwrelay	 sc0;
static atomic_int	 ticks;

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	atomic_fetch_add(&ticks, 1);
}

/* Wait (bounded) until ticks passes n; its value. */
static int
ticks_past(int n)
{
	int	 i, v = 0;

	for (i = 0; i < 5000 && (v = atomic_load(&ticks)) <= n; i++)
		usleep(1000);
	return (v);
}

static void
sleep_ms(long ms)
{
	struct timespec	 ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

START_TEST(test_pause)
{
	struct fwrelay	*w1;
	struct event	*ev;
	struct timeval	 tv = { 0, 1000 };
	int		 held;

	ck_assert_int_eq(worker_setup(2), 0);
	ck_assert_ptr_nonnull(sc0.sc_base = event_base_new());
	relay_init(&sc0);
	ck_assert_ptr_nonnull(w1 = worker_new(&sc0, 1));
	ck_assert_ptr_eq(fw_workers[1], w1);
	ck_assert_uint_eq(w1->sc_worker, 1);
	ck_assert_ptr_nonnull(ev = event_new(w1->sc_base, -1, EV_PERSIST,
	    tick, NULL));
	ck_assert_int_eq(event_add(ev, &tv), 0);
	ck_assert_int_eq(workers_start(), 0);
	ck_assert_int_gt(ticks_past(3), 3);

	/* Held: no callback of worker 1 runs until the last resume. */
	workers_pause();
	workers_pause();
	held = atomic_load(&ticks);
	sleep_ms(30);
	ck_assert_int_eq(atomic_load(&ticks), held);
	workers_resume();
	sleep_ms(30);
	ck_assert_int_eq(atomic_load(&ticks), held);
	workers_resume();
	ck_assert_int_gt(ticks_past(held + 3), held + 3);

	/* Nothing to wait for: the loop keeps running, held or not. */
	workers_pause();
	event_del(ev);
	workers_resume();
	sleep_ms(30);
	workers_pause();
	ck_assert_int_eq(event_add(ev, &tv), 0);
	held = atomic_load(&ticks);
	workers_resume();
	ck_assert_int_gt(ticks_past(held + 3), held + 3);

	/* Drained: its loop ends, and join waits for it. */
	workers_pause();
	event_free(ev);
	w1->sc_stopping = 1;
	worker_drained(w1);
	workers_resume();
	workers_join();
	ck_assert_ptr_null(fw_workers[1]);
	/* With its threads gone, a pause holds nothing and returns. */
	workers_pause();
	workers_resume();
	event_base_free(sc0.sc_base);
}
END_TEST

/* One worker: no thread; pause and resume are no-ops. */
START_TEST(test_one)
{
	uint64_t	 a, b;

	ck_assert_int_eq(worker_setup(1), 0);
	ck_assert_int_eq(worker_setup(0), -1);
	ck_assert_int_eq(worker_setup(WORKERS_MAX + 1), -1);
	ck_assert_int_eq(workers_start(), 0);
	workers_pause();
	workers_resume();
	a = worker_next_id();
	b = worker_next_id();
	ck_assert_uint_eq(b, a + 1);
}
END_TEST

static struct relay	*race_rl;
static atomic_int	 race_in;

static void *
race(void *arg)
{
	int	 i;

	for (i = 0; i < 20000; i++)
		if (relay_admit(race_rl))
			atomic_fetch_add(&race_in, 1);
	return (NULL);
}

/*
 * max_connections over the copies of a relay: joined copies count
 * together; two threads admitting at once never pass the maximum.
 */
START_TEST(test_share)
{
	struct relay_conf	 rc;
	struct relay		*a, *b;
	pthread_t		 t1, t2;

	memset(&rc, 0, sizeof(rc));
	snprintf(rc.name, sizeof(rc.name), "r");
	rc.max_connections = 3;
	ck_assert_ptr_nonnull(a = relay_new(&rc));
	ck_assert_ptr_nonnull(b = relay_new(&rc));
	/* Apart, each has its own count. */
	ck_assert(relay_admit(a));
	ck_assert_uint_eq(relay_share_conns(a), 1);
	ck_assert_uint_eq(relay_share_conns(b), 0);
	/* Joined (a fresh copy, as a reload's on another worker): one. */
	relay_share_join(b, a);
	ck_assert_ptr_eq(a->rl_share, b->rl_share);
	ck_assert_uint_eq(relay_share_conns(b), 1);
	ck_assert(relay_admit(b) && relay_admit(a));
	ck_assert(!relay_admit(a) && !relay_admit(b));
	ck_assert_uint_eq(relay_share_conns(b), 3);
	relay_leave(a);
	ck_assert(relay_admit(b));
	ck_assert(!relay_admit(a));
	relay_leave(a);
	relay_leave(b);
	relay_leave(b);
	ck_assert_uint_eq(relay_share_conns(a), 0);

	rc.max_connections = 1000;
	race_rl = a;
	ck_assert_int_eq(pthread_create(&t1, NULL, race, NULL), 0);
	ck_assert_int_eq(pthread_create(&t2, NULL, race, NULL), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	ck_assert_int_eq(atomic_load(&race_in), 1000);
	ck_assert_uint_eq(relay_share_conns(b), 1000);
	relay_share_unref(a->rl_share);
	relay_share_unref(b->rl_share);
	free(a);
	free(b);
}
END_TEST

static Suite *
worker_suite(void)
{
	Suite	*s = suite_create("worker");
	TCase	*tc;

	tc = tcase_create("one");
	tcase_add_test(tc, test_one);
	suite_add_tcase(s, tc);
	tc = tcase_create("pause");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_pause);
	suite_add_tcase(s, tc);
	tc = tcase_create("share");
	tcase_add_test(tc, test_share);
	suite_add_tcase(s, tc);
	return (s);
}

const struct check_unit check_unit = { worker_suite, NULL, NULL };
