/*
 * The thread table `tenon ps` reads (tenon/ps.h): each scheduling class
 * keeps its own name there, so a quota or TP thread is not shown as FIFO.
 */
#include "harness.h"
#include <tenon/ps.h>
#include <tenon/tenon.h>

#include "kernel/internal.h"

TEST(ps_table_names_every_scheduling_class)
{
	EXPECT_EQ(ps_policy(TN_SCHED_FIFO), TN_PS_FIFO);
	EXPECT_EQ(ps_policy(TN_SCHED_RR), TN_PS_RR);
	EXPECT_EQ(ps_policy(TN_SCHED_IDLE), TN_PS_IDLE);
	EXPECT_EQ(ps_policy(TN_SCHED_QUOTA), TN_PS_QUOTA);
	EXPECT_EQ(ps_policy(TN_SCHED_TP), TN_PS_TP);
}
