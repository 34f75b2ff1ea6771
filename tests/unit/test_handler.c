/*
 * Handler context: timer and health handlers calling the services that do
 * not block, and being refused those that could.
 */
#include "simtest.h"

static struct event_log ev;
static struct tn_sem sem;
static struct tn_flags fl;
static struct tn_mutex mx;
static struct tn_event event;
static struct tn_observable obs;
static struct tn_timer tm;

static void post_sem(struct tn_timer *timer, uint64_t ticks)
{
	(void)timer;
	(void)ticks;
	EXPECT_EQ(tn_sem_put(&sem), 0);
}

static int timer_post_main(void *arg)
{
	(void)arg;
	tn_sem_init(&sem, 0);
	tn_timer_init(&tm, post_sem, NULL);
	EXPECT_EQ(tn_timer_set(&tm, AT(TN_MSEC(1)), TN_MSEC(1)), 0);
	for (int i = 1; i <= 3; i++) {
		EXPECT_EQ(tn_sem_get(&sem), 0);
		EXPECT_TIME(TN_MSEC(i));
	}
	EXPECT_EQ(tn_timer_destroy(&tm), 0);
	return 0;
}

TEST(timer_handler_can_post_semaphore)
{
	sim_run_main(1, 1, 10, timer_post_main, NULL);
}

static struct tn_subscriber sub;
static struct tn_notification backlog[4];

static void signal_everything(struct tn_timer *timer, uint64_t ticks)
{
	struct tn_notice n = {.tag = 7, .value = ticks};

	(void)timer;
	EXPECT_EQ(tn_flags_post(&fl, 0x1), 0);
	EXPECT_EQ(tn_flags_broadcast(&fl, 0x2), 1);
	EXPECT_EQ(tn_event_broadcast(&event), 0);
	EXPECT_EQ(tn_observable_publish(&obs, &n, 1), 1);
	EXPECT_EQ(tn_sem_tryget(&sem), -EAGAIN);
	EXPECT_EQ(tn_sem_put(&sem), 0);
}

static void *flags_waiter(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_flags_wait_exact(&fl, 0x2, TN_INFINITE), 0);
	log_add_time(&ev, "flags");
	return NULL;
}

static void *event_waiter(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_mutex_lock(&mx), 0);
	EXPECT_EQ(tn_event_wait(&event, &mx), 0);
	EXPECT_EQ(tn_mutex_unlock(&mx), 0);
	log_add_time(&ev, "event");
	return NULL;
}

static void *reader(void *arg)
{
	struct tn_notification n;

	(void)arg;
	EXPECT_EQ(tn_observable_read(&sub, &n, 1, TN_INFINITE), 1);
	EXPECT_EQ(n.tag, 7);
	log_add_time(&ev, "notice");
	return NULL;
}

static int nonblocking_main(void *arg)
{
	struct tn_thread t[3];
	uint32_t v;

	(void)arg;
	tn_sem_init(&sem, 0);
	tn_flags_init(&fl, 0);
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_event_init(&event);
	tn_observable_init(&obs, 0);
	tn_observable_subscribe(&obs, &sub, backlog, 4, 0);
	spawn(&t[0], "f", TN_SCHED_FIFO, 30, 0, flags_waiter, NULL);
	spawn(&t[1], "e", TN_SCHED_FIFO, 30, 0, event_waiter, NULL);
	spawn(&t[2], "r", TN_SCHED_FIFO, 30, 0, reader, NULL);
	tn_timer_init(&tm, signal_everything, NULL);
	EXPECT_EQ(tn_timer_set(&tm, AT(TN_MSEC(2)), 0), 0);
	EXPECT_EQ(tn_sem_get(&sem), 0);
	EXPECT_TIME(TN_MSEC(2));
	for (int i = 0; i < 3; i++)
		tn_thread_join(&t[i], NULL);
	/* The post's bit was nobody's: it stays. */
	EXPECT_EQ(tn_flags_peek(&fl, &v), 0);
	EXPECT_EQ(v, 0x1);
	tn_timer_destroy(&tm);
	tn_observable_destroy(&obs);
	return 0;
}

TEST(timer_handler_calls_nonblocking_services)
{
	sim_run_main(1, 1, 10, nonblocking_main, NULL);
	EXPECT_STREQ(log_str(&ev), "flags@2 event@2 notice@2");
}

static int refusals;

static void try_blocking(struct tn_timer *timer, uint64_t ticks)
{
	struct tn_poll_set set;
	struct tn_poll_event out;
	struct tn_rwlock rw;
	uint32_t bits;

	(void)timer;
	(void)ticks;
	tn_poll_init(&set);
	tn_rwlock_init(&rw);
	refusals += tn_sem_get(&sem) == -EPERM;
	refusals += tn_sem_timedget(&sem, TN_INFINITE) == -EPERM;
	refusals += tn_flags_wait(&fl, &bits, TN_INFINITE) == -EPERM;
	refusals += tn_mutex_lock(&mx) == -EPERM;
	refusals += tn_mutex_trylock(&mx) == -EPERM;
	refusals += tn_mutex_unlock(&mx) == -EPERM;
	refusals += tn_event_wait(&event, &mx) == -EPERM;
	refusals += tn_rwlock_rdlock(&rw) == -EPERM;
	refusals += tn_rwlock_unlock(&rw) == -EPERM;
	refusals += tn_timer_wait(timer, NULL, TN_INFINITE) == -EPERM;
	refusals += tn_poll_wait(&set, &out, 1, TN_INFINITE) == -EPERM;
	refusals += tn_sleep(TN_MSEC(1)) == -EPERM;
	refusals += tn_thread_yield() == -EPERM;
	refusals += tn_thread_join(tn_thread_self(), NULL) == -EPERM;
	tn_poll_destroy(&set);
	tn_rwlock_destroy(&rw);
	EXPECT_EQ(tn_sem_put(&sem), 0);
}

static int blocking_main(void *arg)
{
	(void)arg;
	tn_sem_init(&sem, 0);
	tn_flags_init(&fl, 0);
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_event_init(&event);
	tn_timer_init(&tm, try_blocking, NULL);
	EXPECT_EQ(tn_timer_set(&tm, AT(TN_MSEC(1)), 0), 0);
	EXPECT_EQ(tn_sem_get(&sem), 0);
	EXPECT_EQ(refusals, 14);
	tn_timer_destroy(&tm);
	return 0;
}

TEST(timer_handler_blocking_call_eperm)
{
	sim_run_main(1, 1, 10, blocking_main, NULL);
}

static void post_on_health(enum tn_health_event event_kind,
			   struct tn_thread *thread, const void *object)
{
	(void)thread;
	(void)object;
	if (event_kind == TN_HEALTH_LOCK_IMBALANCE)
		EXPECT_EQ(tn_sem_put(&sem), 0);
}

static void *high_waits(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_sem_get(&sem), 0);
	log_add(&ev, "high");
	return NULL;
}

static int health_main(void *arg)
{
	struct tn_thread high;

	(void)arg;
	tn_sem_init(&sem, 0);
	tn_mutex_init(&mx, TN_MUTEX_PI, 0, 0);
	tn_health_set_handler(post_on_health);
	spawn(&high, "high", TN_SCHED_FIFO, 40, 0, high_waits, NULL);
	/* An imbalance: the handler's post preempts before unlock returns. */
	EXPECT_EQ(tn_mutex_unlock(&mx), -EPERM);
	log_add(&ev, "main");
	tn_health_set_handler(NULL);
	tn_thread_join(&high, NULL);
	return 0;
}

TEST(health_handler_can_post_semaphore)
{
	sim_run_main(1, 1, 10, health_main, NULL);
	EXPECT_STREQ(log_str(&ev), "high main");
}
