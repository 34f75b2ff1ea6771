/*
 * Interrupts from the simulator's device lines (host only): a level line
 * is taken again for as long as its device keeps it high, and a threaded
 * handler's masking keeps such a line from storming the CPU meanwhile.
 */
#include <tenon/sim.h>

#include "simtest.h"

#define LINE 40

static struct tn_irq irq;
static int calls;

static void clear_on_third(struct tn_irq *i)
{
	(void)i;
	if (++calls == 3)
		tn_sim_irq_set_line(LINE, false);
}

static void clear_line(struct tn_irq *i)
{
	(void)i;
	tn_sim_irq_set_line(LINE, false);
}

static struct tn_irq_stats stats_of(struct tn_irq *i)
{
	struct tn_irq_stats s;

	EXPECT_EQ(tn_irq_get_stats(i, &s), 0);
	return s;
}

static int level_main(void *arg)
{
	(void)arg;
	EXPECT_EQ(tn_irq_attach(&irq, LINE, NULL, clear_on_third, NULL), 0);
	tn_sim_irq_set_line(LINE, true);
	tn_sleep(TN_USEC(100));
	EXPECT_EQ(stats_of(&irq).taken, 3);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_level_line_taken_until_cleared)
{
	sim_run_main(1, 1, 50, level_main, NULL);
}

static int threaded_level_main(void *arg)
{
	struct tn_irq_attr attr;

	(void)arg;
	tn_irq_attr_init(&attr);
	attr.priority = 10;
	EXPECT_EQ(tn_irq_attach(&irq, LINE, &attr, clear_line, NULL), 0);
	tn_sim_irq_set_line(LINE, true);
	/* The handler thread cannot run yet; the line stays high. */
	tn_spin(TN_USEC(200));
	EXPECT_EQ(stats_of(&irq).taken, 1);
	tn_sleep(TN_USEC(100));
	EXPECT_EQ(stats_of(&irq).taken, 1);
	EXPECT_EQ(stats_of(&irq).handled, 1);
	EXPECT_EQ(tn_irq_detach(&irq), 0);
	return 0;
}

TEST(irq_threaded_level_line_taken_once_until_handled)
{
	sim_run_main(1, 1, 50, threaded_level_main, NULL);
}
