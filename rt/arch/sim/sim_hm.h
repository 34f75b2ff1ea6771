/*
 * Between the simulator's loop (sim.c) and its health monitor model
 * (hm.c): the watchdog's expiry in simulated time, and the two things
 * the model asks of the loop.
 */
#ifndef TENON_SIM_HM_H
#define TENON_SIM_HM_H

#include <tenon/types.h>

/* sim.c: a stop or restart: from a CPU (never returns) or the loop. */
void sim_hm_stop_run(bool from_loop);
/* sim.c: makes an SPI pending without taking it (for the loop). */
void sim_spi_pend(unsigned int intid);

/* hm.c: a new run; the watchdog's next expiry date (TN_INFINITE: none). */
void sim_hm_run_start(void);
tn_time_t sim_hm_next(void);
/* hm.c: the clock reached now: expire the watchdog if due (the loop). */
void sim_hm_clock(tn_time_t now);

#endif
