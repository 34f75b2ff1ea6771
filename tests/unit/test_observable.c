/*
 * Observables: broadcast with serials, on-change filtering, unicast turns,
 * backlog overflow, destruction, and publishers racing on two CPUs.
 */
#include "simtest.h"

static struct tn_observable obs;

static void publish(uint32_t tag, uint64_t value)
{
	struct tn_notice n = {tag, value};

	EXPECT_EQ(tn_observable_publish(&obs, &n, 1), 1);
}

static int broadcast_main(void *arg)
{
	struct tn_subscriber a, b;
	struct tn_notification ba[8], bb[8], out[8];
	struct tn_notice two[2] = {{7, 100}, {8, 200}};

	(void)arg;
	EXPECT_EQ(tn_observable_init(&obs, 0), 0);
	EXPECT_EQ(tn_observable_subscribe(&obs, &a, ba, 8, 0), 0);
	EXPECT_EQ(tn_observable_subscribe(&obs, &b, bb, 8, 0), 0);
	tn_sleep(TN_MSEC(1));
	EXPECT_EQ(tn_observable_publish(&obs, two, 2), 2);
	for (int s = 0; s < 2; s++) {
		int n = tn_observable_read(s ? &b : &a, out, 8, TN_INFINITE);

		EXPECT_EQ(n, 2);
		EXPECT_EQ(out[0].tag, 7);
		EXPECT_EQ(out[0].value, 100);
		EXPECT_EQ(out[0].serial, 1);
		EXPECT_EQ(out[1].serial, 2);
		EXPECT_EQ(out[1].value, 200);
		EXPECT_DURATION(out[0].date - test_t0, TN_MSEC(1));
		EXPECT(out[0].issuer == tn_thread_self());
		EXPECT_EQ(out[0].lost, 0);
	}
	EXPECT_EQ(tn_observable_read(&a, out, 8, AT(TN_MSEC(2))), -ETIMEDOUT);
	EXPECT_EQ(tn_observable_unsubscribe(&a), 0);
	EXPECT_EQ(tn_observable_read(&a, out, 8, TN_INFINITE), -EINVAL);
	EXPECT_EQ(tn_observable_destroy(&obs), 0);
	EXPECT_EQ(tn_observable_read(&b, out, 8, TN_INFINITE), -EIDRM);
	return 0;
}

TEST(observable_broadcast)
{
	sim_run_main(1, 1, 10, broadcast_main, NULL);
}

static int onchange_main(void *arg)
{
	struct tn_subscriber all, changes;
	struct tn_notification b1[16], b2[16], out[16];
	const uint64_t values[] = {1, 1, 2, 2, 2, 3, 1};
	int n;

	(void)arg;
	tn_observable_init(&obs, 0);
	tn_observable_subscribe(&obs, &all, b1, 16, 0);
	tn_observable_subscribe(&obs, &changes, b2, 16, TN_NOTIFY_ONCHANGE);
	for (int i = 0; i < 7; i++)
		publish(1, values[i]);
	publish(2, 1); /* another tag is a change */
	EXPECT_EQ(tn_observable_read(&all, out, 16, TN_INFINITE), 8);
	n = tn_observable_read(&changes, out, 16, TN_INFINITE);
	EXPECT_EQ(n, 5);
	EXPECT_EQ(out[0].value, 1);
	EXPECT_EQ(out[1].value, 2);
	EXPECT_EQ(out[1].serial, 3);
	EXPECT_EQ(out[2].value, 3);
	EXPECT_EQ(out[3].value, 1);
	EXPECT_EQ(out[4].tag, 2);
	tn_observable_destroy(&obs);
	return 0;
}

TEST(observable_onchange)
{
	sim_run_main(1, 1, 10, onchange_main, NULL);
}

static int unicast_main(void *arg)
{
	struct tn_subscriber s[3];
	struct tn_notification b[3][8], out[8];

	(void)arg;
	EXPECT_EQ(tn_observable_init(&obs, TN_OBSERVABLE_UNICAST), 0);
	for (int i = 0; i < 3; i++)
		tn_observable_subscribe(&obs, &s[i], b[i], i == 2 ? 1 : 8, 0);
	for (int i = 1; i <= 7; i++)
		publish(0, (uint64_t)i);
	/* Turns: s0 1, s1 2, s2 3, s0 4, s1 5, (s2 full) s0 6, s1 7. */
	EXPECT_EQ(tn_observable_read(&s[0], out, 8, TN_INFINITE), 3);
	EXPECT_EQ(out[0].value, 1);
	EXPECT_EQ(out[1].value, 4);
	EXPECT_EQ(out[2].value, 6);
	EXPECT_EQ(tn_observable_read(&s[1], out, 8, TN_INFINITE), 3);
	EXPECT_EQ(out[0].value, 2);
	EXPECT_EQ(out[1].value, 5);
	EXPECT_EQ(out[2].value, 7);
	EXPECT_EQ(tn_observable_read(&s[2], out, 8, TN_INFINITE), 1);
	EXPECT_EQ(out[0].value, 3);
	tn_observable_destroy(&obs);
	return 0;
}

TEST(observable_unicast)
{
	sim_run_main(1, 1, 10, unicast_main, NULL);
}

static int overflow_main(void *arg)
{
	struct tn_subscriber sub;
	struct tn_notification b[2], out[4];

	(void)arg;
	tn_observable_init(&obs, 0);
	tn_observable_subscribe(&obs, &sub, b, 2, 0);
	for (int i = 1; i <= 5; i++)
		publish(0, (uint64_t)i); /* 3, 4 and 5 find it full */
	EXPECT_EQ(tn_observable_read(&sub, out, 4, TN_INFINITE), 2);
	EXPECT_EQ(out[1].value, 2);
	publish(0, 6);
	EXPECT_EQ(tn_observable_read(&sub, out, 4, TN_INFINITE), 1);
	EXPECT_EQ(out[0].value, 6);
	EXPECT_EQ(out[0].lost, 3);
	EXPECT_EQ(out[0].serial, 6);
	publish(0, 7); /* the loss was reported once */
	EXPECT_EQ(tn_observable_read(&sub, out, 4, TN_INFINITE), 1);
	EXPECT_EQ(out[0].lost, 0);
	tn_observable_destroy(&obs);
	return 0;
}

TEST(observable_backlog_overflow_reported)
{
	sim_run_main(1, 1, 10, overflow_main, NULL);
}

#define RACE_PUBLISHERS 4
#define RACE_NOTICES 200

static struct tn_subscriber race_sub[2];
static struct tn_notification race_backlog[2][RACE_PUBLISHERS * RACE_NOTICES];
static long race_read[2];

static void *race_publisher(void *arg)
{
	for (int i = 0; i < RACE_NOTICES; i++) {
		publish((uint32_t)(uintptr_t)arg, (uint64_t)i);
		if (i % 16 == 0)
			tn_thread_yield();
	}
	return NULL;
}

static void *race_reader(void *arg)
{
	int s = (int)(uintptr_t)arg;
	struct tn_notification out[32];
	uint32_t last_serial = 0;
	uint64_t next_value[RACE_PUBLISHERS] = {0};

	while (race_read[s] < RACE_PUBLISHERS * RACE_NOTICES) {
		int n = tn_observable_read(&race_sub[s], out, 32, TN_INFINITE);

		EXPECT(n > 0);
		for (int i = 0; i < n; i++) {
			/* Serials only grow, and each publisher's values
			 * arrive in the order it sent them. */
			EXPECT(out[i].serial > last_serial);
			last_serial = out[i].serial;
			EXPECT_EQ(out[i].value, next_value[out[i].tag]++);
			EXPECT_EQ(out[i].lost, 0);
		}
		race_read[s] += n;
	}
	return NULL;
}

static int race_main(void *arg)
{
	struct tn_thread pub[RACE_PUBLISHERS], rd[2];

	(void)arg;
	tn_observable_init(&obs, 0);
	for (int s = 0; s < 2; s++) {
		tn_observable_subscribe(&obs, &race_sub[s], race_backlog[s],
					RACE_PUBLISHERS * RACE_NOTICES, 0);
		spawn(&rd[s], "reader", TN_SCHED_FIFO, 20, TN_CPU(s),
		      race_reader, (void *)(uintptr_t)s);
	}
	for (int p = 0; p < RACE_PUBLISHERS; p++)
		spawn(&pub[p], "publisher", TN_SCHED_FIFO, 10, TN_CPU(p % 2),
		      race_publisher, (void *)(uintptr_t)p);
	for (int p = 0; p < RACE_PUBLISHERS; p++)
		tn_thread_join(&pub[p], NULL);
	for (int s = 0; s < 2; s++)
		tn_thread_join(&rd[s], NULL);
	tn_observable_destroy(&obs);
	return 0;
}

TEST(observable_race)
{
	for (uint64_t seed = 1; seed <= 4; seed++) {
		race_read[0] = race_read[1] = 0;
		sim_run_main(2, seed, 50, race_main, NULL);
		EXPECT_EQ(race_read[0], RACE_PUBLISHERS * RACE_NOTICES);
		EXPECT_EQ(race_read[1], RACE_PUBLISHERS * RACE_NOTICES);
	}
}

static int bad_main(void *arg)
{
	struct tn_subscriber sub;
	struct tn_notification b[2];
	struct tn_notice n = {0, 0};

	(void)arg;
	EXPECT_EQ(tn_observable_init(&obs, 0x10), -EINVAL);
	EXPECT_EQ(tn_observable_init(&obs, 0), 0);
	EXPECT_EQ(tn_observable_subscribe(&obs, &sub, b, 0, 0), -EINVAL);
	EXPECT_EQ(tn_observable_subscribe(&obs, &sub, NULL, 2, 0), -EINVAL);
	EXPECT_EQ(tn_observable_subscribe(&obs, &sub, b, 2, 0x4), -EINVAL);
	EXPECT_EQ(tn_observable_subscribe(&obs, &sub, b, 2, 0), 0);
	EXPECT_EQ(tn_observable_subscribe(&obs, &sub, b, 2, 0), -EBUSY);
	EXPECT_EQ(tn_observable_publish(&obs, &n, 0), -EINVAL);
	EXPECT_EQ(tn_observable_publish(&obs, NULL, 1), -EINVAL);
	EXPECT_EQ(tn_observable_destroy(&obs), 0);
	EXPECT_EQ(tn_observable_publish(&obs, &n, 1), -EINVAL);
	EXPECT_EQ(tn_observable_destroy(&obs), -EINVAL);
	return 0;
}

TEST(observable_bad_arguments)
{
	sim_run_main(1, 1, 10, bad_main, NULL);
}
