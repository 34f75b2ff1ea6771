/* The calling CPU's number: the simulated CPU running now (sim.c). */
#ifndef TENON_PORT_CPU_H
#define TENON_PORT_CPU_H

int arch_cpu_id(void) __attribute__((pure));

#endif
