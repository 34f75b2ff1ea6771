/*
 * The calling CPU's number, inline: the kernel asks for it on every path
 * (its per-CPU state, the lock's owner). Each CPU writes it to TPIDR_EL1
 * as it starts (entry.S), and never changes it.
 */
#ifndef TENON_PORT_CPU_H
#define TENON_PORT_CPU_H

/*
 * Not volatile: a thread never migrates, so one read may serve every
 * call in a function, as the kernel's declaration (pure) allows.
 */
static inline __attribute__((pure)) int arch_cpu_id(void)
{
	unsigned long id;

	__asm__("mrs %0, tpidr_el1" : "=r"(id));
	return (int)id;
}

#endif
