/*
 * Tenon's own hypercalls (tenon/hypercall.h). Every argument is checked:
 * a buffer must lie wholly in the caller's RAM, a length within bounds.
 */
#include <errno.h>

#include "hyp.h"
#include "core/channel.h"
#include "tenon/hypercall.h"

static int64_t console_write(struct vcpu *v, uint64_t ipa, uint64_t len)
{
	const char *buf;
	uint64_t pa;

	if (len == 0 || len > TN_HC_CONSOLE_MAX)
		return -EINVAL;
	pa = partition_ipa_to_pa(v->part, ipa, len);
	if (!pa)
		return -EFAULT;
	buf = (const char *)pa;
	console_partition_write(v->part, buf, len);
	return (int64_t)len;
}

void hypercall(struct vcpu *v)
{
	int64_t ret;

	switch ((uint32_t)v->x[0]) {
	case TN_HC_VERSION:
		ret = TN_HC_ABI_VERSION;
		break;
	case TN_HC_PARTITION_INFO:
		v->x[1] = (uint64_t)v->part->index;
		v->x[2] = tn_sysconfig.npartitions;
		v->x[3] = v->part->cfg->ncpus;
		v->x[4] = v->part->restarts;
		ret = 0;
		break;
	case TN_HC_CONSOLE_WRITE:
		spin_lock(&v->part->lock);
		ret = console_write(v, v->x[1], v->x[2]);
		spin_unlock(&v->part->lock);
		break;
	case TN_HC_CHANNEL_NOTIFY:
		ret = channel_notify(v, v->x[1]);
		break;
	default:
		if (!hm_hypercall(v, (uint32_t)v->x[0], &ret))
			ret = -ENOSYS;
		break;
	}
	v->x[0] = (uint64_t)ret;
}
