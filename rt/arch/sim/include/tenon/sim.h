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
	TN_SIM_HM_STOPPED, /* the health monitor model stopped or restarted
			      the partition (tn_sim_hm_attach()) */
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

/*
 * The hypervisor's health monitor, played by the test. Without a model
 * (the default, and after tn_sim_hm_clear()) the core is alone on the
 * machine: the health monitor's calls return -ENODEV. With one, fn is
 * called for every event the core raises (TN_HC_HM_RAISE), on the
 * raising thread, and for every expiry of the simulated watchdog, from
 * the simulator's loop (where no core service may be called); it returns
 * the action the partition's table gives (enum tn_hm_action):
 * TN_HM_ACT_IGNORE, _LOG or _NOTIFY return to the core (for a watchdog
 * expiry, a notify queues the event for TN_HC_HM_PENDING and raises SPI
 * intid, the HM interrupt); TN_HM_ACT_STOP and the restarts end the run
 * (TN_SIM_HM_STOPPED), since the partition would not go on. The watchdog
 * stays armed after an expiry that does not end the run: it expires
 * again a period later unless kicked. Set before the run; a run starts
 * with the watchdog disarmed and nothing pending. restarts is what
 * tn_partition_info() says.
 */
typedef int (*tn_sim_hm_fn)(unsigned int event, uint64_t detail, void *arg);
void tn_sim_hm_attach(tn_sim_hm_fn fn, void *arg, unsigned int intid,
		      uint64_t restarts);
void tn_sim_hm_clear(void);
/*
 * Queues an event for TN_HC_HM_PENDING and raises the HM interrupt, as
 * the hypervisor's notify does. From a thread. -ENOSPC: 16 are queued;
 * -ENODEV: no model.
 */
int tn_sim_hm_notify(unsigned int event, uint64_t detail);
/* The watchdog's period in us (0: disarmed), and the kicks so far. */
uint64_t tn_sim_watchdog_period_us(void);
uint64_t tn_sim_watchdog_kicks(void);
/*
 * An exception in the calling thread, as the machine's port takes one:
 * event TN_HM_EV_EXCEPTION (detail: the syndrome) or TN_HM_EV_STACK (the
 * faulting address) goes to the model; if it returns, the thread is
 * ended (tn_thread_join gives TN_THREAD_FAULTED). Without a model, as
 * alone on the machine, the run stops (a panic).
 */
__attribute__((noreturn)) void tn_sim_fault(unsigned int event,
					    uint64_t detail);

#ifdef __cplusplus
}
#endif

#endif
