/*
 * Formatted output of the freestanding C library: the printf family into
 * strings or onto the console, where stdout and stderr both go.
 */
#ifndef TENON_LIBC_STDIO_H
#define TENON_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

typedef struct tn_libc_file FILE;

extern FILE *const stdout, *const stderr;

#define TN_LIBC_PRINTF(fmt, args) __attribute__((format(__printf__, fmt, args)))

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt,
	      va_list ap) TN_LIBC_PRINTF(3, 0);
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
    TN_LIBC_PRINTF(3, 4);
int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
    TN_LIBC_PRINTF(2, 0);
int fprintf(FILE *restrict f, const char *restrict fmt, ...)
    TN_LIBC_PRINTF(2, 3);
int vprintf(const char *restrict fmt, va_list ap) TN_LIBC_PRINTF(1, 0);
int printf(const char *restrict fmt, ...) TN_LIBC_PRINTF(1, 2);

int fputc(int c, FILE *f);
int putchar(int c);
int fputs(const char *restrict s, FILE *restrict f);
int puts(const char *s);
/* Output leaves in whole pieces as it is made: nothing to flush here. */
int fflush(FILE *f);

/*
 * The platform supplies this: it hands len bytes to the console, whole
 * (the real-time core queues them in its log, so a caller never waits).
 * The printf family formats into a buffer on the stack and hands it over
 * in pieces of up to 256 bytes, so a line that fits goes in one piece.
 */
void tn_libc_write(const char *buf, size_t len);

#endif
