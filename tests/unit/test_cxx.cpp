/*
 * The real-time API from C++: every public header compiles as C++ and
 * links against the core built as C, and a C++ thread body runs on it.
 */
#include <tenon/channel.h>
#include <tenon/hm.h>
#include <tenon/sim.h>
#include <tenon/tenon.h>

#include "simtest.h"

namespace
{

struct shared {
	struct tn_sem sem;
	struct tn_mutex mutex;
	struct tn_flags flags;
	int value;
};

void *poster(void *arg)
{
	shared *s = static_cast<shared *>(arg);

	EXPECT_EQ(tn_mutex_lock(&s->mutex), 0);
	s->value = 42;
	EXPECT_EQ(tn_mutex_unlock(&s->mutex), 0);
	EXPECT_EQ(tn_flags_post(&s->flags, 0x4), 0);
	EXPECT_EQ(tn_sem_put(&s->sem), 0);
	return nullptr;
}

int cxx_main(void *arg)
{
	shared s{};
	struct tn_thread t;
	uint32_t bits = 0;

	(void)arg;
	EXPECT_EQ(tn_sem_init(&s.sem, 0), 0);
	EXPECT_EQ(tn_mutex_init(&s.mutex, TN_MUTEX_PI, 0, 0), 0);
	EXPECT_EQ(tn_flags_init(&s.flags, 0), 0);
	spawn(&t, "poster", TN_SCHED_FIFO, 10, 0, poster, &s);
	EXPECT_EQ(tn_sem_timedget(&s.sem, tn_clock_read() + TN_MSEC(10)), 0);
	EXPECT_EQ(tn_flags_wait(&s.flags, &bits, TN_INFINITE), 0);
	EXPECT_EQ(bits, 0x4);
	EXPECT_EQ(s.value, 42);
	EXPECT_EQ(tn_thread_join(&t, nullptr), 0);
	return 0;
}

} // namespace

TEST(cxx_api_usable_from_cxx)
{
	sim_run_main(1, 1, 20, cxx_main, nullptr);
}
