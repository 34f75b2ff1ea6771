/*
 * The host simulator: runs the real-time core, unchanged, on simulated
 * CPUs inside one host process, on a virtual clock. Code takes no virtual
 * time; the clock moves only when every simulated CPU is idle or busy
 * (tn_spin), straight to the next timer or end of a busy stretch. Which
 * CPU runs next at each kernel entry and exit is drawn from a seeded
 * generator, so a seed names one interleaving and replays it exactly.
 */
#ifndef TENON_SIM_H
#define TENON_SIM_H

#include <stdio.h>
#include <tenon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tn_sim_config {
	int cpus;	      /* 1 .. TN_MAX_CPUS */
	uint64_t seed;	      /* picks the interleaving */
	tn_time_t time_limit; /* stop once the clock would pass it */
	int main_priority;    /* of the "main" thread */
	FILE *trace;	      /* if set, every event is printed there */
	FILE *console;	      /* where the log goes (NULL: stdout) */
};

enum tn_sim_status {
	TN_SIM_DONE,	   /* main returned */
	TN_SIM_STALLED,	   /* nothing can run and no timer is armed */
	TN_SIM_TIME_LIMIT, /* the clock reached config.time_limit */
};

struct tn_sim_result {
	enum tn_sim_status status;
	int exit_code;	     /* main's return value, when DONE */
	tn_time_t end_time;  /* virtual clock when the run stopped */
	uint64_t events;     /* switches, interrupts and CPU turns */
	uint64_t trace_hash; /* digest of every event, in order */
};

/* 2 CPUs, seed 1, no time limit, main at TN_PRIO_MIN, no trace. */
void tn_sim_config_init(struct tn_sim_config *config);
/*
 * Boots the core on config->cpus simulated CPUs with main(arg) as the
 * "main" thread, runs until main returns, nothing can run any more, or the
 * time limit; then releases every thread. -EINVAL on a bad config.
 */
int tn_sim_run(const struct tn_sim_config *config, int (*main)(void *arg),
	       void *arg, struct tn_sim_result *result);
const char *tn_sim_status_name(enum tn_sim_status status);
/*
 * A simulated device's interrupt wire: SPI intid (32 .. TN_IRQ_MAX - 1),
 * level-triggered, pending for as long as it is high, as a device keeps
 * its line up until its driver clears the cause. Call it from a thread.
 */
void tn_sim_irq_set_line(unsigned int intid, bool high);
/*
 * An edge on SPI intid: pending until taken, as a doorbell a hypervisor
 * delivers. Call it from a thread or a hook.
 */
void tn_sim_irq_raise(unsigned int intid);

/*
 * Channels: declares an end the core will find by name (before the run;
 * the region is the test's memory); -ENOSPC past TN_CHANNELS_MAX.
 * tn_sim_channel_clear() forgets them all and the hook. The hook is
 * called, on the ringing thread, when the core rings a channel's peer.
 */
struct tn_channel_desc;
int tn_sim_channel_add(const struct tn_channel_desc *desc);
void tn_sim_channel_clear(void);
void tn_sim_channel_on_notify(void (*fn)(uint32_t id, void *arg), void *arg);

#ifdef __cplusplus
}
#endif

#endif
