/*
 * The log: what the real-time core and its applications write to the
 * console (printf on a machine comes here). Writing never waits for the
 * console: the text goes into a buffer of the writing CPU, and each CPU's
 * idle thread writes its buffer out, so only time nobody else wants is
 * spent on the console. When a buffer is full, what does not fit is
 * dropped and counted; once the buffer has drained, a line
 * "[N lines dropped]" says how much was lost. Text written before the
 * core runs, on exit and in fault reports goes out at once, in order.
 */
#ifndef TENON_LOG_H
#define TENON_LOG_H

#include <tenon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of text each CPU holds until its idle thread writes them out. */
#define TN_LOG_SIZE 4096

/*
 * Queues len bytes for the console; from any context, never waits.
 * Returns len, or -ENOSPC when the CPU's buffer has no room: the text is
 * dropped (and counted) whole, so a line is never cut.
 */
int tn_log_write(const char *text, size_t len);
/*
 * Writes out everything queued on every CPU before it returns: it waits
 * for the console, so it is not for real-time threads (-EPERM in a
 * handler).
 */
int tn_log_flush(void);

#ifdef __cplusplus
}
#endif

#endif
