/*
 * The one spinlock of the hypervisor: a ticket lock, so that CPUs get it
 * in the order they asked (no CPU starves). The waiting CPU says so
 * (yield), which lets an emulator run the holder.
 */
#include "hyp.h"

void spin_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		__asm__ volatile("yield");
}

bool spin_trylock(struct spinlock *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);
	uint32_t next = owner;

	/* Free only when no ticket is out: take the next one, or fail. */
	return __atomic_compare_exchange_n(&l->next, &next, owner + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}
