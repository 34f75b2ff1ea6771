/*
 * Mutexes: priority inheritance (simple, transitive, de-boost), priority
 * ceiling (raise, lower, nested, dynamic, mixed with PI, try), recursion,
 * deadlock detection, stealing, requeueing, and misuse (named after
 * libevl's monitor tests where one exists).
 */
#include "simtest.h"

static struct event_log ev;
static struct tn_mutex mx, mx2;
static struct tn_thread low, mid, high;

static int eprio(struct tn_thread *t)
{
	return tn_thread_get_effective_priority(t);
}

static void *low_holds_then_spins(void *arg)
{
	tn_time_t work = *(tn_time_t *)arg;

	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	tn_spin(work);
	log_add_time(&ev, "low-unlocks");
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	log_add_time(&ev, "low-done");
	return NULL;
}

static void *high_locks_at_1ms(void *arg)
{
	tn_time_t timeout = arg ? AT(*(tn_time_t *)arg) : TN_INFINITE;
	int ret;

	tn_sleep_until(AT(TN_MSEC(1)));
	log_add_time(&ev, "high-wants");
	ret = tn_mutex_timedlock(&mx, timeout);
	if (ret) {
		log_add_time(&ev,
			     ret == -ETIMEDOUT ? "high-timeout" : "high-error");
		/* De-boosted the moment the wait ended. */
		EXPECT_EQ(eprio(&low), 10);
		return NULL;
	}
	log_add_time(&ev, "high-got");
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	return NULL;
}

static void *mid_runs_at_2ms(void *arg)
{
	(void)arg;
	tn_sleep_until(AT(TN_MSEC(2)));
	log_add_time(&ev, "mid-runs");
	return NULL;
}

static void *watch_low_boosted(void *arg)
{
	(void)arg;
	tn_sleep_until(AT(TN_USEC(1500)));
	EXPECT_EQ(eprio(&low), 30);
	EXPECT_EQ(tn_thread_get_priority(&low), 10);
	return NULL;
}

static int pi_main(void *arg)
{
	tn_time_t work = TN_MSEC(5);
	struct tn_thread watcher;

	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	spawn(&high, "high", TN_SCHED_FIFO, 30, 0, high_locks_at_1ms, arg);
	spawn(&mid, "mid", TN_SCHED_FIFO, 20, 0, mid_runs_at_2ms, NULL);
	spawn(&watcher, "watch", TN_SCHED_FIFO, 40, 0, watch_low_boosted, NULL);
	spawn(&low, "low", TN_SCHED_FIFO, 10, 0, low_holds_then_spins, &work);
	tn_thread_join(&high, NULL);
	tn_thread_join(&mid, NULL);
	tn_thread_join(&low, NULL);
	tn_thread_join(&watcher, NULL);
	EXPECT_EQ(tn_mutex_destroy(&mx), 0);
	return 0;
}

TEST(monitor_pi)
{
	/* Boosted to 30, low is not preempted by mid at 2 ms. */
	sim_run_main(1, 1, 50, pi_main, NULL);
	EXPECT_STREQ(log_str(&ev), "high-wants@1 low-unlocks@5 high-got@5 "
				   "mid-runs@5 low-done@5");
}

TEST(monitor_pi_deboost)
{
	/* high gives up at 3 ms: low drops to 10 at once, mid runs. */
	tn_time_t timeout = TN_MSEC(3);

	sim_run_main(1, 1, 50, pi_main, &timeout);
	EXPECT_STREQ(log_str(&ev), "high-wants@1 high-timeout@3 mid-runs@3 "
				   "low-unlocks@5 low-done@5");
}

static void *chain_b(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_lock(&mx2), 0);
	EXPECT_EQ(tn_mutex_lock(&mx), 0); /* held by A: waits */
	tn_mutex_unlock(&mx);
	tn_mutex_unlock(&mx2);
	return NULL;
}

static void *chain_c(void *arg)
{
	tn_time_t timeout = AT(TN_MSEC(3));

	(void)arg;
	EXPECT_EQ(tn_mutex_timedlock(&mx2, timeout), -ETIMEDOUT);
	return NULL;
}

static int chain_main(void *arg)
{
	struct tn_thread b, c;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_mutex_init(&mx2, TN_MUTEX_PI, 0, 0);
	EXPECT_EQ(tn_mutex_lock(&mx), 0); /* main plays A, base 10 */
	EXPECT_EQ(tn_thread_set_priority(tn_thread_self(), 10), 0);
	spawn(&b, "B", TN_SCHED_FIFO, 20, 0, chain_b, NULL);
	EXPECT_EQ(eprio(tn_thread_self()), 20);
	spawn(&c, "C", TN_SCHED_FIFO, 30, 0, chain_c, NULL);
	/* C waits for B which waits for A: both boosted to 30. */
	EXPECT_EQ(eprio(&b), 30);
	EXPECT_EQ(eprio(tn_thread_self()), 30);
	tn_spin(TN_MSEC(4));
	/* C gave up at 3 ms: the chain falls back to B's 20. */
	EXPECT_EQ(eprio(&b), 20);
	EXPECT_EQ(eprio(tn_thread_self()), 20);
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	EXPECT_EQ(eprio(tn_thread_self()), 10);
	tn_thread_join(&b, NULL);
	tn_thread_join(&c, NULL);
	return 0;
}

TEST(monitor_pi_chain)
{
	sim_run_main(1, 1, 50, chain_main, NULL);
}

static struct tn_sem step;

static void *abba_other(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_lock(&mx2), 0);
	tn_sem_put(&step);
	/* Blocks: main holds mx. */
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	tn_mutex_unlock(&mx);
	tn_mutex_unlock(&mx2);
	return NULL;
}

static int abba_main(void *arg)
{
	struct tn_thread other;

	(void)arg;
	tn_sem_init(&step, 0);
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_mutex_init(&mx2, TN_MUTEX_PI, 0, 0);
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	spawn(&other, "other", TN_SCHED_FIFO, 10, TN_CPU(1), abba_other, NULL);
	tn_sem_get(&step);
	tn_sleep(TN_MSEC(1)); /* other now waits for mx */
	EXPECT_EQ(tn_mutex_lock(&mx2), -EDEADLK);
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	tn_thread_join(&other, NULL);
	return 0;
}

TEST(monitor_pi_deadlock)
{
	sim_run_main(2, 1, 50, abba_main, NULL);
}

static int self_deadlock_main(void *arg)
{
	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	EXPECT_EQ(tn_mutex_lock(&mx), -EDEADLK);
	EXPECT_EQ(tn_mutex_timedlock(&mx, AT(TN_MSEC(1))), -EDEADLK);
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	EXPECT_EQ(tn_mutex_unlock(&mx), -EPERM);
	return 0;
}

TEST(monitor_deadlock)
{
	sim_run_main(1, 1, 10, self_deadlock_main, NULL);
}

static int pp_raise_main(void *arg)
{
	struct tn_thread *self = tn_thread_self();

	(void)arg;
	EXPECT_EQ(tn_mutex_init(&mx, TN_MUTEX_PP, 40, 0), 0);
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	EXPECT_EQ(eprio(self), 40);
	EXPECT_EQ(tn_thread_get_priority(self), 10);
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	EXPECT_EQ(eprio(self), 10);
	return 0;
}

TEST(monitor_pp_raise)
{
	sim_run_main(1, 1, 10, pp_raise_main, NULL);
}

static int pp_lower_main(void *arg)
{
	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PP, 5, 0);
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	EXPECT_EQ(eprio(tn_thread_self()), 10);
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	EXPECT_EQ(eprio(tn_thread_self()), 10);
	return 0;
}

TEST(monitor_pp_lower)
{
	sim_run_main(1, 1, 10, pp_lower_main, NULL);
}

static int pp_nested_main(void *arg)
{
	struct tn_thread *self = tn_thread_self();

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PP, 30, 0);
	tn_mutex_init(&mx2, TN_MUTEX_PP, 40, 0);
	tn_mutex_lock(&mx);
	EXPECT_EQ(eprio(self), 30);
	tn_mutex_lock(&mx2);
	EXPECT_EQ(eprio(self), 40);
	tn_mutex_unlock(&mx2);
	EXPECT_EQ(eprio(self), 30);
	tn_mutex_unlock(&mx);
	EXPECT_EQ(eprio(self), 10);
	return 0;
}

TEST(monitor_pp_nested)
{
	sim_run_main(1, 1, 10, pp_nested_main, NULL);
}

static int pp_dynamic_main(void *arg)
{
	struct tn_thread *self = tn_thread_self();

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PP, 30, 0);
	tn_mutex_lock(&mx);
	EXPECT_EQ(tn_mutex_set_ceiling(&mx, 45), 0);
	EXPECT_EQ(tn_mutex_get_ceiling(&mx), 45);
	EXPECT_EQ(eprio(self), 30); /* not before the next lock */
	tn_mutex_unlock(&mx);
	tn_mutex_lock(&mx);
	EXPECT_EQ(eprio(self), 45);
	tn_mutex_unlock(&mx);
	EXPECT_EQ(tn_mutex_set_ceiling(&mx, 0), -EINVAL);
	EXPECT_EQ(tn_mutex_set_ceiling(&mx, 100), -EINVAL);
	tn_mutex_init(&mx2, TN_MUTEX_PI, 0, 0);
	EXPECT_EQ(tn_mutex_set_ceiling(&mx2, 30), -EINVAL);
	EXPECT_EQ(tn_mutex_get_ceiling(&mx2), -EINVAL);
	return 0;
}

TEST(monitor_pp_dynamic)
{
	sim_run_main(1, 1, 10, pp_dynamic_main, NULL);
}

static void *pi_waiter(void *arg)
{
	tn_time_t timeout = AT(*(tn_time_t *)arg);

	EXPECT_EQ(tn_mutex_timedlock(&mx2, timeout), -ETIMEDOUT);
	return NULL;
}

static int pp_pi_main(void *arg)
{
	struct tn_thread *self = tn_thread_self();
	struct tn_thread w;
	tn_time_t timeout = TN_MSEC(2);

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PP, 20, 0);
	tn_mutex_init(&mx2, TN_MUTEX_PI, 0, 0);
	tn_mutex_lock(&mx);
	tn_mutex_lock(&mx2);
	EXPECT_EQ(eprio(self), 20);
	spawn(&w, "waiter", TN_SCHED_FIFO, 35, 0, pi_waiter, &timeout);
	EXPECT_EQ(eprio(self), 35);
	tn_spin(TN_MSEC(3));
	EXPECT_EQ(eprio(self), 20); /* the PI waiter left, the ceiling stays */
	tn_mutex_unlock(&mx2);
	EXPECT_EQ(eprio(self), 20);
	tn_mutex_unlock(&mx);
	EXPECT_EQ(eprio(self), 10);
	tn_thread_join(&w, NULL);
	return 0;
}

TEST(monitor_pp_pi)
{
	sim_run_main(1, 1, 10, pp_pi_main, NULL);
}

static void *pp_holder(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	tn_sleep(TN_MSEC(2));
	tn_mutex_unlock(&mx);
	return NULL;
}

static int pp_try_main(void *arg)
{
	struct tn_thread h;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PP, 40, 0);
	EXPECT_EQ(tn_mutex_trylock(&mx), 0);
	EXPECT_EQ(eprio(tn_thread_self()), 40);
	tn_mutex_unlock(&mx);
	spawn(&h, "holder", TN_SCHED_FIFO, 20, TN_CPU(1), pp_holder, NULL);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(tn_mutex_trylock(&mx), -EBUSY);
	EXPECT_EQ(eprio(tn_thread_self()),
		  10); /* a failed try raises nothing */
	EXPECT_EQ(eprio(&h), 40);
	tn_thread_join(&h, NULL);
	return 0;
}

TEST(monitor_pp_tryenter)
{
	sim_run_main(2, 1, 10, pp_try_main, NULL);
}

static void *try_other(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_trylock(&mx), -EBUSY);
	return NULL;
}

static int recursive_main(void *arg)
{
	struct tn_thread t;

	(void)arg;
	EXPECT_EQ(tn_mutex_init(&mx, TN_MUTEX_PI, 0, TN_MUTEX_RECURSIVE), 0);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(tn_mutex_lock(&mx), 0);
	EXPECT_EQ(tn_mutex_trylock(&mx), 0);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	/* Still held once: another thread cannot take it. */
	spawn(&t, "other", TN_SCHED_FIFO, 20, 0, try_other, NULL);
	tn_thread_join(&t, NULL);
	EXPECT_EQ(tn_mutex_destroy(&mx), -EBUSY);
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	EXPECT_EQ(tn_mutex_unlock(&mx), -EPERM);
	EXPECT_EQ(tn_mutex_destroy(&mx), 0);
	EXPECT_EQ(tn_mutex_lock(&mx), -EINVAL);
	return 0;
}

TEST(monitor_recursive)
{
	sim_run_main(1, 1, 10, recursive_main, NULL);
}

static void *steal_victim(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	log_add(&ev, "victim-got");
	tn_mutex_unlock(&mx);
	return NULL;
}

static int steal_main(void *arg)
{
	struct tn_thread v;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_mutex_lock(&mx);
	spawn(&v, "victim", TN_SCHED_FIFO, 20, 0, steal_victim, NULL);
	tn_sleep(TN_MSEC(1)); /* victim waits now */
	tn_mutex_unlock(&mx); /* handed to victim, which has not run */
	EXPECT_EQ(tn_mutex_trylock(&mx), 0);
	log_add(&ev, "main-stole");
	tn_mutex_unlock(&mx);
	tn_thread_join(&v, NULL);
	return 0;
}

TEST(monitor_steal)
{
	sim_run_main(1, 1, 50, steal_main, NULL);
	EXPECT_STREQ(log_str(&ev), "main-stole victim-got");
}

static void *late_thief(void *arg)
{
	(void)arg;
	tn_sem_get(&step);
	/* Lower than the chosen waiter, which has not run: no steal. */
	EXPECT_EQ(tn_mutex_trylock(&mx), -EBUSY);
	log_add(&ev, "thief-failed");
	return NULL;
}

static int no_steal_main(void *arg)
{
	struct tn_thread v, thief;

	(void)arg;
	tn_sem_init(&step, 0);
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_mutex_lock(&mx);
	spawn(&v, "victim", TN_SCHED_FIFO, 20, TN_CPU(0), steal_victim, NULL);
	spawn(&thief, "thief", TN_SCHED_FIFO, 18, TN_CPU(1), late_thief, NULL);
	tn_sleep(TN_MSEC(1)); /* victim waits for mx, thief for step */
	tn_mutex_unlock(&mx); /* handed to victim, kept off CPU 0 by main */
	tn_sem_put(&step);
	tn_spin(TN_MSEC(1));
	tn_thread_join(&v, NULL);
	tn_thread_join(&thief, NULL);
	return 0;
}

TEST(monitor_no_steal_by_lower_priority)
{
	for (uint64_t seed = 1; seed <= 4; seed++) {
		ev.len = 0;
		sim_run_main(2, seed, 50, no_steal_main, NULL);
		EXPECT_STREQ(log_str(&ev), "thief-failed victim-got");
	}
}

static int trylock_main(void *arg)
{
	struct tn_thread t;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	EXPECT_EQ(tn_mutex_trylock(&mx), 0);
	spawn(&t, "other", TN_SCHED_FIFO, 20, 0, try_other, NULL);
	tn_thread_join(&t, NULL);
	EXPECT_EQ(tn_mutex_trylock(&mx), -EDEADLK);
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	return 0;
}

TEST(monitor_trylock)
{
	sim_run_main(1, 1, 10, trylock_main, NULL);
}

static void *requeue_waiter(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	log_add(&ev, tn_thread_name(tn_thread_self()));
	tn_mutex_unlock(&mx);
	return NULL;
}

static int requeue_main(void *arg)
{
	struct tn_thread w1, w2;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_mutex_lock(&mx);
	EXPECT_EQ(tn_thread_set_priority(tn_thread_self(), 5), 0);
	spawn(&w1, "w1", TN_SCHED_FIFO, 20, 0, requeue_waiter, NULL);
	spawn(&w2, "w2", TN_SCHED_FIFO, 25, 0, requeue_waiter, NULL);
	EXPECT_EQ(eprio(tn_thread_self()), 25);
	/* w1 raised while waiting: first in line, and the boost follows. */
	EXPECT_EQ(tn_thread_set_priority(&w1, 30), 0);
	EXPECT_EQ(eprio(tn_thread_self()), 30);
	tn_mutex_unlock(&mx);
	tn_thread_join(&w1, NULL);
	tn_thread_join(&w2, NULL);
	return 0;
}

TEST(monitor_wait_requeue)
{
	sim_run_main(1, 1, 50, requeue_main, NULL);
	EXPECT_STREQ(log_str(&ev), "w1 w2");
}

static void *wrong_unlocker(void *arg)
{
	struct tn_thread_stats st;

	(void)arg;
	EXPECT_EQ(tn_mutex_unlock(&mx), -EPERM);
	tn_thread_get_stats(tn_thread_self(), &st);
	EXPECT_EQ(st.lock_imbalances, 1);
	return NULL;
}

static int imbalance_main(void *arg)
{
	uint64_t before = tn_health_count(TN_HEALTH_LOCK_IMBALANCE);
	struct tn_thread t;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_mutex_lock(&mx);
	spawn(&t, "intruder", TN_SCHED_FIFO, 20, 0, wrong_unlocker, NULL);
	tn_thread_join(&t, NULL);
	EXPECT_EQ(tn_health_count(TN_HEALTH_LOCK_IMBALANCE) - before, 1);
	tn_mutex_unlock(&mx);
	return 0;
}

TEST(monitor_unlock_by_non_owner)
{
	sim_run_main(1, 1, 10, imbalance_main, NULL);
}

static void *dies_holding(void *arg)
{
	(void)arg;
	tn_mutex_lock(&mx);
	tn_mutex_lock(&mx2);
	return NULL;
}

static int owner_dies_main(void *arg)
{
	uint64_t before = tn_health_count(TN_HEALTH_EXIT_HOLDING);
	struct tn_thread t;

	(void)arg;
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_mutex_init(&mx2, TN_MUTEX_PP, 30, 0);
	spawn(&t, "dies", TN_SCHED_FIFO, 20, 0, dies_holding, NULL);
	tn_thread_join(&t, NULL);
	EXPECT_EQ(tn_health_count(TN_HEALTH_EXIT_HOLDING) - before, 2);
	EXPECT_EQ(tn_mutex_lock(&mx), -EOWNERDEAD);
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	EXPECT_EQ(tn_mutex_lock(&mx), 0); /* reported once */
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	EXPECT_EQ(tn_mutex_trylock(&mx2), -EOWNERDEAD);
	EXPECT_EQ(tn_mutex_unlock(&mx2), 0);
	return 0;
}

TEST(monitor_owner_exit_reported)
{
	sim_run_main(1, 1, 10, owner_dies_main, NULL);
}

static int bad_args_main(void *arg)
{
	struct tn_mutex m;

	(void)arg;
	EXPECT_EQ(tn_mutex_init(NULL, TN_MUTEX_PI, 0, 0), -EINVAL);
	EXPECT_EQ(tn_mutex_init(&m, 7, 0, 0), -EINVAL);
	EXPECT_EQ(tn_mutex_init(&m, TN_MUTEX_PP, 0, 0), -EINVAL);
	EXPECT_EQ(tn_mutex_init(&m, TN_MUTEX_PP, 100, 0), -EINVAL);
	EXPECT_EQ(tn_mutex_init(&m, TN_MUTEX_PI, 0, 0x80), -EINVAL);
	EXPECT_EQ(tn_mutex_init(&m, TN_MUTEX_PI, 0, 0), 0);
	EXPECT_EQ(tn_mutex_timedlock(&m, AT(TN_MSEC(1))), 0);
	EXPECT_EQ(tn_mutex_unlock(&m), 0);
	EXPECT_EQ(tn_mutex_lock(NULL), -EINVAL);
	EXPECT_EQ(tn_mutex_unlock(NULL), -EINVAL);
	return 0;
}

TEST(monitor_bad_arguments)
{
	sim_run_main(1, 1, 10, bad_args_main, NULL);
}
