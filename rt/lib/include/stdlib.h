/*
 * Number parsing, absolute values and sorting of the freestanding C
 * library; abort() and exit() are the platform's.
 */
#ifndef TENON_LIBC_STDLIB_H
#define TENON_LIBC_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

long strtol(const char *restrict s, char **restrict end, int base);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end,
			    int base);
int atoi(const char *s);
long atol(const char *s);

int abs(int x);
long labs(long x);
long long llabs(long long x);

/* Heapsort: no recursion, no allocation, O(n log n) at worst; not stable. */
void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *));

/* The platform supplies these two. */
void abort(void) __attribute__((noreturn));
void exit(int status) __attribute__((noreturn));

#endif
