/*
 * Basic types of the real-time API: time in nanoseconds on the monotonic
 * clock, CPU masks, and the error convention (negative errno values).
 */
#ifndef TENON_TYPES_H
#define TENON_TYPES_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Nanoseconds. Signed so that differences of two dates are natural. */
typedef int64_t tn_time_t;

/* A date no clock reaches: a timeout of TN_INFINITE never expires. */
#define TN_INFINITE INT64_MAX

#define TN_NSEC(n) ((tn_time_t)(n))
#define TN_USEC(n) ((tn_time_t)(n)*1000)
#define TN_MSEC(n) ((tn_time_t)(n)*1000000)
#define TN_SEC(n) ((tn_time_t)(n)*1000000000)

/* Bit n set: CPU n. Zero in an attribute means "the caller's CPU". */
typedef uint32_t tn_cpumask_t;
#define TN_CPU(n) ((tn_cpumask_t)1 << (n))
#define TN_MAX_CPUS 32

#ifdef __cplusplus
}
#endif

#endif
